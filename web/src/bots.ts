// What the page knows about the person's interactions with bots (docs/web-client.md "Bots"): each
// click, select, command or modal submission is tracked from "Sending…" to the bot's answer on the
// person's feed — interactionAcked (a brief confirmation), interactionDeferred ("<bot> is
// thinking…" until the bot's next message in that channel, or the interaction's 60 s lifetime),
// showModal (a form to fill, shown by modal.tsx). There are no ephemeral replies in the Bot API:
// the ack's confirmation is the only private, transient answer, and nothing else is made up here.
// One tracker per feed bus, so every channel view of the session shares it.
import { useEffect, useState } from 'preact/hooks';
import { Api, enc } from './api';
import type { Bus, SpaceDetail } from './shell';

export type PendingState = 'sending' | 'sent' | 'acked' | 'deferred' | 'expired';

export interface Pending {
  key: number;
  channelId: string;
  spaceId: string;
  botUserId?: string;
  botName: string;
  state: PendingState;
  interactionId?: string;
  until: number;  // Date.now() when it stops showing
}

export interface ModalComponent {
  type: number | string;
  customId: string;
  label: string;
  style?: number | string | null;
  placeholder?: string | null;
  minLength?: number | null;
  maxLength?: number | null;
  required?: boolean | null;
  value?: string | null;
  options?: { label: string; value: string; description?: string | null; default?: boolean | null }[] | null;
  minValues?: number | null;
  maxValues?: number | null;
  default?: boolean | null;
  description?: string | null;
}

export interface ShownModal {
  interactionId: string;
  modal: { customId: string; title: string; components: ModalComponent[] };
  channelId?: string;
  spaceId?: string;
  botUserId?: string;
  botName: string;
}

export const INTERACTION_TTL_MS = 60_000;  // interactions.ttl_seconds: nothing answers after it
const ACK_SHOWN_MS = 4_000;

let nextKey = 0;

export class Interactions {
  pending: Pending[] = [];
  modals: ShownModal[] = [];
  private listeners = new Set<() => void>();
  private early = new Map<string, PendingState>();  // feed events that beat the POST's answer
  private timer: number | undefined;

  constructor(bus: Bus) {
    bus.on((name, data) => this.onEvent(name, data));
  }

  subscribe(l: () => void) {
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }

  private changed() {
    clearTimeout(this.timer);
    const now = Date.now();
    this.pending = this.pending.filter((p) => p.until > now);
    const next = Math.min(...this.pending.map((p) => p.until));
    if (Number.isFinite(next)) this.timer = window.setTimeout(() => this.changed(), Math.max(50, next - now));
    for (const l of [...this.listeners]) l();
  }

  /** The person started something: "Sending…" until the server answers. */
  start(p: { channelId: string; spaceId: string; botUserId?: string; botName: string }): number {
    const key = ++nextKey;
    this.pending = [...this.pending, { ...p, key, state: 'sending', until: Date.now() + INTERACTION_TTL_MS }];
    this.changed();
    return key;
  }

  /** The server took it (200 {interactionId}): wait for the bot. */
  started(key: number, interactionId: string) {
    const early = this.early.get(interactionId);
    this.early.delete(interactionId);
    this.update(key, (p) => ({ ...p, interactionId, state: 'sent' }));
    if (early) this.apply(interactionId, early);
  }

  /** The server refused it: the caller shows why, next to what was used. */
  drop(key: number) {
    this.pending = this.pending.filter((p) => p.key !== key);
    this.changed();
  }

  /** A transient notice of the channel (an expired form). */
  notice(p: { channelId: string; spaceId: string; botName: string; state: PendingState }) {
    this.pending = [...this.pending, { ...p, key: ++nextKey, until: Date.now() + 10_000 }];
    this.changed();
  }

  closeModal(interactionId: string) {
    this.modals = this.modals.filter((m) => m.interactionId !== interactionId);
    this.changed();
  }

  private update(key: number, f: (p: Pending) => Pending) {
    this.pending = this.pending.map((p) => (p.key === key ? f(p) : p));
    this.changed();
  }

  private apply(interactionId: string, state: PendingState) {
    const p = this.pending.find((x) => x.interactionId === interactionId);
    if (!p) {
      this.early.set(interactionId, state);
      if (this.early.size > 50) this.early.delete(this.early.keys().next().value as string);
      return;
    }
    const ttl = state === 'acked' ? ACK_SHOWN_MS : INTERACTION_TTL_MS;
    this.update(p.key, (x) => ({ ...x, state, until: Date.now() + ttl }));
  }

  private onEvent(name: string, data: any) {
    if (name === 'interactionAcked' && data?.interactionId) this.apply(String(data.interactionId), 'acked');
    else if (name === 'interactionDeferred' && data?.interactionId) this.apply(String(data.interactionId), 'deferred');
    else if (name === 'showModal' && data?.interactionId && data.modal) {
      // The event names the modal's new interaction, not the one it answers: it answers the
      // person's latest interaction still waiting (Modal consumes that one) — possibly one whose
      // POST has not even answered yet, as the bot may be that quick.
      const waiting = [...this.pending].reverse().find((p) => p.state === 'sending' || p.state === 'sent' || p.state === 'deferred');
      if (waiting) this.pending = this.pending.filter((p) => p !== waiting);
      this.modals = [...this.modals, {
        interactionId: String(data.interactionId), modal: data.modal, channelId: waiting?.channelId,
        spaceId: waiting?.spaceId, botUserId: waiting?.botUserId, botName: waiting?.botName ?? 'A bot',
      }];
      this.changed();
    } else if (name === 'messageCreate' && data?.message) {
      // The bot answered in the channel: its thinking (or waiting) is over.
      const channelId = String(data.message.channelId ?? data.channelId);
      const sender = String(data.message.sender?.userId ?? data.message.creatorId ?? '');
      const before = this.pending.length;
      this.pending = this.pending.filter((p) => !(p.channelId === channelId && p.botUserId === sender &&
        p.state !== 'acked' && p.state !== 'expired'));
      if (this.pending.length !== before) this.changed();
    }
  }
}

const trackers = new WeakMap<Bus, Interactions>();
export function interactionsOf(bus: Bus): Interactions {
  let t = trackers.get(bus);
  if (!t) { t = new Interactions(bus); trackers.set(bus, t); }
  return t;
}

/** Re-renders the component whenever the tracker changes. */
export function useInteractions(bus: Bus): Interactions {
  const t = interactionsOf(bus);
  const [, setTick] = useState(0);
  useEffect(() => t.subscribe(() => setTick((n) => n + 1)), [t]);
  return t;
}

// The space's members, archetypes and channels, for the user/archetype/channel selects and the
// required-archetype hints. Read once per space for a few seconds, shared by every control.
const spaces = new WeakMap<Api, Map<string, { at: number; detail: Promise<SpaceDetail> }>>();
export function useSpace(api: Api, spaceId: string): SpaceDetail | null {
  const [detail, setDetail] = useState<SpaceDetail | null>(null);
  useEffect(() => {
    if (!spaceId) return;
    let live = true;
    let cache = spaces.get(api);
    if (!cache) { cache = new Map(); spaces.set(api, cache); }
    let entry = cache.get(spaceId);
    if (!entry || Date.now() - entry.at > 15_000) {
      entry = { at: Date.now(), detail: api.get<SpaceDetail>(`/api/v1/spaces/${enc(spaceId)}`) };
      cache.set(spaceId, entry);
      entry.detail.catch(() => cache!.delete(spaceId));
    }
    entry.detail.then((d) => live && setDetail(d)).catch(() => {});
    return () => { live = false; };
  }, [api, spaceId]);
  return detail;
}

export interface Choice { value: string; label: string; description?: string | null }

/** The choices of a user, archetype or channel select, from the space. */
export function spaceChoices(kind: string, detail: SpaceDetail | null): Choice[] {
  if (!detail) return [];
  if (kind === 'userSelect') return detail.members.map((m) => ({ value: m.userId, label: m.displayName || m.username }));
  if (kind === 'archetypeSelect') return detail.archetypes.map((a: any) => ({ value: a.archetypeId, label: String(a.name ?? a.archetypeId) }));
  if (kind === 'channelSelect') return detail.channels.filter((c) => c.channelType !== 1).map((c) => ({ value: c.channelId, label: `# ${c.name}` }));
  return [];
}

const SELECTS = ['stringSelect', 'userSelect', 'archetypeSelect', 'channelSelect'];
/** A control's or modal component's type by name (the API sends integers; names accepted too). */
export function kindOf(type: number | string | null | undefined, names: string[]): string {
  if (typeof type === 'number') return names[type] ?? 'unknown';
  const lower = String(type ?? '').toLowerCase();
  return names.find((n) => n.toLowerCase() === lower) ?? 'unknown';
}
export const CONTROL_KINDS = ['button', ...SELECTS];
export const MODAL_KINDS = ['textInput', ...SELECTS, 'checkbox'];

/** The text of a status entry, for the channel's status line. */
export function pendingText(p: Pending): string {
  switch (p.state) {
    case 'sending': return 'Sending…';
    case 'sent': return `Sent to ${p.botName}`;
    case 'acked': return `✓ ${p.botName} got it`;
    case 'deferred': return `${p.botName} is thinking…`;
    case 'expired': return `This form has expired: ${p.botName} no longer waits for it.`;
  }
}
