// The members of the open space (a side panel; a folded overlay at phone width): names, bots marked,
// each one's presence, their roles; kicking (confirmed) and assigning roles for those who may. Live:
// the Shell reloads the space on memberJoin/memberLeave/memberUpdate, and presenceUpdate events are
// applied here on top of the presence the space's member list carried when it was loaded.
// PresenceMenu (top bar) sets the person's own presence.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { Modal } from './dialog';
import { KICK_MEMBER, MANAGE_ARCHETYPE, colourHex } from './entitlements';
import type { Bus, SpaceDetail } from './shell';
import { allowed } from './shell';
import type { Session } from './session';

export interface Presence { status: number; activity?: { kind: number; titleName: string } | null }
export interface MemberInfo {
  userId: string; username: string; displayName: string; archetypeIds: string[];
  flags?: number; presence?: Presence;
}
export interface ArchetypeInfo {
  archetypeId: string; name: string; colour: number; isDefault: boolean; isMentionable: boolean;
  permissions: number | string;
}

const BOT = 1;
const VERIFIED = 4;

// PUT /api/v1/me/presence status values (docs/client-api.md).
export const PRESENCE_LABELS = ['Offline', 'Online', 'Away', 'In a game', 'Listening', 'Touching grass', 'Do not disturb'];
const PRESENCE_KIND = ['offline', 'online', 'away', 'online', 'online', 'away', 'dnd'];
export const presenceLabel = (s: number | undefined) => PRESENCE_LABELS[s ?? 0] ?? 'Offline';
const ACTIVITY_VERB = ['Playing', 'Using', 'Streaming', 'Listening to'];

const membersOf = (d: SpaceDetail) => d.members as unknown as MemberInfo[];
export const archetypesOf = (d: SpaceDetail) => (d.archetypes ?? []) as unknown as ArchetypeInfo[];

export function PresenceDot({ status }: { status: number | undefined }) {
  return <span class="presence-dot" data-presence={PRESENCE_KIND[status ?? 0] ?? 'offline'} aria-hidden="true" />;
}

export function MembersPanel({ api, bus, detail, session, reload, onClose }: {
  api: Api; bus: Bus; detail: SpaceDetail; session: Session; reload: () => void; onClose: () => void;
}) {
  // userId → the presence of their latest presenceUpdate in this space since the list was loaded.
  const [live, setLive] = useState<Record<string, Presence>>({});
  const [kick, setKick] = useState<MemberInfo | null>(null);
  const [rolesOf, setRolesOf] = useState<MemberInfo | null>(null);
  const spaceId = detail.spaceId;

  useEffect(() => {
    reload();  // presence changed while the panel was closed is in a fresh list
    setLive({});
    return bus.on((name, data) => {
      if (name === 'ready') setLive({});  // reconnected: the Shell reloads the list
      if (name === 'presenceUpdate' && data?.spaceId === spaceId && data.user?.userId && data.presence)
        setLive((l) => ({ ...l, [data.user.userId]: data.presence }));
    });
  }, [bus, spaceId]);

  const members = membersOf(detail).slice().sort((a, b) => {
    const bot = Number(!!((a.flags ?? 0) & BOT)) - Number(!!((b.flags ?? 0) & BOT));
    return bot || (a.displayName || a.username).localeCompare(b.displayName || b.username);
  });
  const archetypes = archetypesOf(detail);
  const roleById = new Map(archetypes.map((a) => [a.archetypeId, a]));
  const canKick = allowed(detail, session.userId, KICK_MEMBER);
  const canRoles = allowed(detail, session.userId, MANAGE_ARCHETYPE) && archetypes.some((a) => !a.isDefault);

  return (
    <aside class="members-panel" id="members-panel" aria-labelledby="members-heading">
      <div class="members-head">
        <h2 id="members-heading">Members <span class="hint">({members.length})</span></h2>
        <button type="button" class="small" onClick={onClose}>Close</button>
      </div>
      <ul class="member-list" role="list" aria-label={`Members of ${detail.name}`}>
        {members.map((m) => {
          const name = m.displayName || m.username;
          const presence = live[m.userId] ?? m.presence;
          const status = presence?.status ?? 0;
          const flags = m.flags ?? 0;
          const roles = m.archetypeIds.map((id) => roleById.get(id)).filter((a): a is ArchetypeInfo => !!a && !a.isDefault);
          const isOwner = m.userId === detail.ownerId;
          return (
            <li key={m.userId} class="member" data-user-id={m.userId} data-presence-status={status}>
              <PresenceDot status={status} />
              <div class="member-body">
                <div class="member-name">
                  <span class="name">{name}</span>
                  {(flags & BOT) !== 0 && <span class="badge bot">Bot</span>}
                  {(flags & BOT) !== 0 && (flags & VERIFIED) !== 0 && <span class="badge verified">Verified</span>}
                  {isOwner && <span class="badge">Owner</span>}
                </div>
                <div class="member-status hint">
                  <span class="presence-label">{presenceLabel(status)}</span>
                  {presence?.activity?.titleName &&
                    <span> · {ACTIVITY_VERB[presence.activity.kind] ?? ''} {presence.activity.titleName}</span>}
                  {' · @'}{m.username}
                </div>
                {roles.length > 0 && (
                  <ul class="role-chips" role="list" aria-label={`Roles of ${name}`}>
                    {roles.map((r) => (
                      <li key={r.archetypeId} class="role-chip" style={{ '--role-colour': colourHex(r.colour) }}>{r.name}</li>
                    ))}
                  </ul>
                )}
                {(canRoles || (canKick && !isOwner && m.userId !== session.userId)) && (
                  <div class="member-actions">
                    {canRoles && (
                      <button type="button" class="small" aria-label={`Roles of ${name}`}
                        onClick={() => setRolesOf(m)}>Roles</button>
                    )}
                    {canKick && !isOwner && m.userId !== session.userId && (
                      <button type="button" class="small" aria-label={`Kick ${name}`}
                        onClick={() => setKick(m)}>Kick</button>
                    )}
                  </div>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      {kick && (
        <KickDialog api={api} detail={detail} member={kick} onClose={() => setKick(null)}
          onKicked={() => { setKick(null); reload(); }} />
      )}
      {rolesOf && (
        <MemberRolesDialog api={api} detail={detail}
          member={membersOf(detail).find((m) => m.userId === rolesOf.userId) ?? rolesOf}
          onClose={() => setRolesOf(null)} />
      )}
    </aside>
  );
}

function KickDialog({ api, detail, member, onClose, onKicked }: {
  api: Api; detail: SpaceDetail; member: MemberInfo; onClose: () => void; onKicked: () => void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const name = member.displayName || member.username;
  const kick = async () => {
    setBusy(true);
    try {
      await api.del(`/api/v1/spaces/${enc(detail.spaceId)}/members/${enc(member.userId)}`);
      onKicked();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong.');
      setBusy(false);
    }
  };
  return (
    <Modal title={`Kick ${name} from ${detail.name}?`} onClose={onClose}>
      <p>{name} will need a new invite to come back.</p>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={kick}>Kick {name}</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </Modal>
  );
}

/** Assign or remove a member's roles (PUT / DELETE …/members/{userId}/archetypes/{archetypeId}); the
 *  boxes follow the space as the Shell reloads it on memberUpdate. */
function MemberRolesDialog({ api, detail, member, onClose }: {
  api: Api; detail: SpaceDetail; member: MemberInfo; onClose: () => void;
}) {
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const [error, setError] = useState('');
  const name = member.displayName || member.username;
  const toggle = async (a: ArchetypeInfo, on: boolean) => {
    setPending((p) => ({ ...p, [a.archetypeId]: on }));
    setError('');
    try {
      await api.call(on ? 'PUT' : 'DELETE',
        `/api/v1/spaces/${enc(detail.spaceId)}/members/${enc(member.userId)}/archetypes/${enc(a.archetypeId)}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong.');
      setPending((p) => { const { [a.archetypeId]: _x, ...rest } = p; return rest; });
    }
  };
  // A pending box shows what was asked until the reloaded member list says the same.
  const has = (id: string) => pending[id] ?? member.archetypeIds.includes(id);
  useEffect(() => {
    setPending((p) => {
      const next: Record<string, boolean> = {};
      for (const [id, on] of Object.entries(p)) if (member.archetypeIds.includes(id) !== on) next[id] = on;
      return Object.keys(next).length === Object.keys(p).length ? p : next;
    });
  }, [member]);
  return (
    <Modal title={`Roles of ${name}`} onClose={onClose}>
      <fieldset class="checks">
        <legend>Roles</legend>
        {archetypesOf(detail).filter((a) => !a.isDefault).map((a) => (
          <label key={a.archetypeId}>
            <input type="checkbox" checked={has(a.archetypeId)}
              onChange={(e) => void toggle(a, e.currentTarget.checked)} />
            <span class="role-swatch" style={{ background: colourHex(a.colour) }} aria-hidden="true" /> {a.name}
          </label>
        ))}
      </fieldset>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions"><button type="button" onClick={onClose}>Done</button></div>
    </Modal>
  );
}

/** The person's own presence, a menu in the top bar (PUT /api/v1/me/presence). */
export function PresenceMenu({ api, bus, detail, session }: {
  api: Api; bus: Bus; detail: SpaceDetail | null; session: Session;
}) {
  const [status, setStatus] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');
  const menu = useRef<HTMLUListElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const known = status ?? membersOf(detail ?? ({ members: [] } as unknown as SpaceDetail))
    .find((m) => m.userId === session.userId)?.presence?.status ?? null;

  useEffect(() => bus.on((name, data) => {
    if (name === 'presenceUpdate' && data?.user?.userId === session.userId && data.presence)
      setStatus(data.presence.status);
  }), [bus, session.userId]);
  // Focus moves into the menu as it renders (a layout effect: before any key reaches it).
  useLayoutEffect(() => {
    if (!open) return;
    const items = menu.current;
    (items?.querySelector<HTMLElement>('[aria-checked="true"]') ?? items?.querySelector<HTMLElement>('[role="menuitemradio"]'))?.focus();
  }, [open]);

  // A press anywhere else closes the menu.
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => { if (!root.current?.contains(e.target as Node)) setOpen(false); };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  const choose = async (s: number) => {
    setOpen(false);
    button.current?.focus();
    setError('');
    try {
      await api.call('PUT', '/api/v1/me/presence', { status: s });
      setStatus(s);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not set the status.');
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false); button.current?.focus(); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length]?.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length]?.focus(); }
    else if (e.key === 'Tab') setOpen(false);
  };
  const choices = [1, 2, 6, 0];
  return (
    <div class="presence-menu" ref={root} onKeyDown={onKey}>
      <button type="button" ref={button} aria-haspopup="menu"
        aria-label={`Status: ${known === null ? 'not set' : presenceLabel(known)}`} aria-expanded={open} aria-controls="presence-menu"
        onClick={() => setOpen(!open)}>
        <PresenceDot status={known ?? 0} /> <span class="presence-text">Status: {known === null ? 'not set' : presenceLabel(known)}</span>
      </button>
      {open && (
        <ul class="menu" id="presence-menu" role="menu" aria-label="Set your status" ref={menu}>
          {choices.map((s) => (
            <li key={s} role="menuitemradio" tabIndex={-1} aria-checked={known === s}
              onClick={() => void choose(s)}
              onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); void choose(s); } }}>
              <PresenceDot status={s} /> {s === 0 ? 'Invisible (offline)' : presenceLabel(s)}
            </li>
          ))}
        </ul>
      )}
      {error && <span class="error" role="alert">{error}</span>}
    </div>
  );
}
