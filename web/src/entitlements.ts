// The entitlements of an archetype's `permissions` (docs/client-api.md "Entitlements"): an int64
// bit set, so BigInt here. The JSON parser keeps 16+ digit integers as strings (api.ts) and shorter
// ones as numbers: toMask reads both.
export const ENTITLEMENT_GROUPS: { title: string; names: [string, number][] }[] = [
  { title: 'General', names: [['ViewChannel', 0], ['ReadHistory', 1]] },
  {
    title: 'Text', names: [['SendMessages', 5], ['AttachFiles', 7], ['AddReactions', 8], ['AnyMentions', 9],
      ['MentionEveryone', 10], ['ExternalEmoji', 11], ['ExternalStickers', 12], ['UseCommands', 13],
      ['PostEmbeddedLinks', 14]],
  },
  {
    title: 'Voice', names: [['JoinToVoice', 2], ['SendVoice', 6], ['Connect', 20], ['Speak', 21], ['Video', 22],
      ['Stream', 23], ['CanDrawOnStream', 24], ['UseASIO', 30], ['AdditionalStreams', 31]],
  },
  {
    title: 'Moderation', names: [['DisconnectMember', 40], ['MoveMember', 41], ['BanMember', 42],
      ['MuteMember', 43], ['KickMember', 44], ['ManageMessages', 56]],
  },
  {
    title: 'Administration', names: [['ManageChannels', 50], ['ManageArchetype', 51], ['ManageBots', 52],
      ['ManageEvents', 53], ['ManageBehaviour', 54], ['ManageServer', 55]],
  },
];

export const bit = (n: number) => 1n << BigInt(n);
export const KICK_MEMBER = bit(44);
export const MANAGE_ARCHETYPE = bit(51);
export const MANAGE_BOTS = bit(52);
export const MANAGE_SERVER = bit(55);
/** Every bit the table names: bits it does not name are kept as they are when a role is saved. */
export const KNOWN_MASK = ENTITLEMENT_GROUPS.reduce(
  (m, g) => g.names.reduce((acc, [, b]) => acc | bit(b), m), 0n);

export function toMask(value: unknown): bigint {
  try { return BigInt(String(value ?? 0)); } catch { return 0n; }
}

/** "ManageArchetype" → "Manage archetype", "UseASIO" → "Use ASIO". */
export function entitlementLabel(name: string): string {
  const words = name.match(/[A-Z]+(?![a-z])|[A-Z][a-z]*/g) ?? [name];
  return words.map((w, i) => (i === 0 || (w.length > 1 && w === w.toUpperCase()) ? w : w.toLowerCase())).join(' ');
}

/** A packed RGB colour (int32) ↔ "#rrggbb" for <input type="color">. */
export function colourHex(colour: number): string {
  return `#${((colour >>> 0) & 0xffffff).toString(16).padStart(6, '0')}`;
}
export function colourInt(hex: string): number {
  return parseInt(hex.slice(1), 16) || 0;
}
