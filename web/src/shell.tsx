// Signed in: the spaces and channels (sidebar), the live feed, and the open channel.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import type { Navigate } from './app';
import { ChannelView } from './channel';
import { RolesDialog } from './archetypes';
import { Modal } from './dialog';
import { MANAGE_ARCHETYPE } from './entitlements';
import { MembersPanel, PresenceMenu } from './members';
import { Feed, FeedState } from './feed';
import { Route, routePath } from './routes';
import { SessionsDialog } from './sessions';
import type { Session } from './session';
import { BotCalls, VoiceChannelItem, VoicePanel, useVoiceStore } from './voice';

export interface Space { spaceId: string; name: string; description: string | null; ownerId: string }
export interface Channel { channelId: string; spaceId: string; name: string; channelType: number }
export interface Member { userId: string; username: string; displayName: string; archetypeIds: string[] }
export interface Archetype { archetypeId: string; permissions: number | string }
export interface SpaceDetail extends Space {
  channels: Channel[]; members: Member[]; archetypes: Archetype[]; defaultArchetypeId: string;
}

// Entitlements (docs/client-api.md): masks are int64, beyond 2^53: BigInt.
export const MANAGE_CHANNELS = 1n << 50n;
const MANAGE_SERVER = 1n << 55n;

/** What the person may do in the space: the owner and ManageServer may do everything, others what
 *  the default archetype and their own grant (the server checks again; this only hides buttons). */
export function allowed(detail: SpaceDetail, userId: string, entitlement: bigint): boolean {
  if (detail.ownerId === userId) return true;
  const me = detail.members.find((m) => m.userId === userId);
  let mask = 0n;
  for (const a of detail.archetypes ?? []) {
    if (a.archetypeId === detail.defaultArchetypeId || me?.archetypeIds?.includes(a.archetypeId)) {
      try { mask |= BigInt(String(a.permissions)); } catch { /* not a number */ }
    }
  }
  return (mask & (entitlement | MANAGE_SERVER)) !== 0n;
}

export type Listener = (name: string, data: any) => void;
export class Bus {
  private listeners = new Set<Listener>();
  on(l: Listener) { this.listeners.add(l); return () => { this.listeners.delete(l); }; }
  emit(name: string, data: any) { for (const l of [...this.listeners]) l(name, data); }
}

const TYPING_SHOWN_MS = 10_000;  // a little past the server's 8 s expiry, in case typingStop is lost

export function Shell({ api, session, route, navigate, onSignOut }: {
  api: Api; session: Session; route: Route; navigate: Navigate; onSignOut: () => void;
}) {
  const [spaces, setSpaces] = useState<Space[] | null>(null);
  const [detail, setDetail] = useState<SpaceDetail | null>(null);
  const [feedState, setFeedState] = useState<FeedState>('connecting');
  const [sessionsOpen, setSessionsOpen] = useState(false);
  const [typing, setTyping] = useState<Record<string, Record<string, number>>>({});
  const [dialog, setDialog] = useState<'space' | 'invite' | 'channel' | 'leave' | null>(null);
  const [navOpen, setNavOpen] = useState(false);
  const [membersOpen, setMembersOpen] = useState(false);
  const [rolesOpen, setRolesOpen] = useState(false);
  const [error, setError] = useState('');
  const bus = useMemo(() => new Bus(), []);
  const voice = useVoiceStore(api, bus, session.userId);

  const spaceId = route.kind === 'space' ? route.spaceId : null;
  const channelId = route.kind === 'space' ? route.channelId : undefined;

  // Loads may overlap (events come in bursts) and answer out of order: only the latest one's
  // answer is used, so an older list never overwrites a newer one.
  const spacesLoad = useRef(0);
  const detailLoad = useRef(0);
  const loadSpaces = useCallback(async () => {
    const n = ++spacesLoad.current;
    try {
      const r = await api.get<{ spaces: Space[] }>('/api/v1/spaces');
      if (n === spacesLoad.current) setSpaces(r.spaces);
    } catch (e) {
      if (n === spacesLoad.current && e instanceof ApiError) setError(e.message);
    }
  }, [api]);
  const loadDetail = useCallback(async () => {
    const n = ++detailLoad.current;
    if (!spaceId) { setDetail(null); return; }
    try {
      const d = await api.get<SpaceDetail>(`/api/v1/spaces/${enc(spaceId)}`);
      if (n === detailLoad.current) setDetail(d);
    } catch (e) {
      if (n !== detailLoad.current) return;
      setDetail(null);
      if (e instanceof ApiError) setError(e.message);
    }
  }, [api, spaceId]);

  useEffect(() => { void loadSpaces(); }, [loadSpaces]);
  useEffect(() => { void loadDetail(); }, [loadDetail]);

  // The live feed, for as long as the session lasts.
  const reload = useRef({ loadSpaces, loadDetail, spaceId, navigate });
  reload.current = { loadSpaces, loadDetail, spaceId, navigate };
  const feedRef = useRef<Feed | null>(null);
  useEffect(() => {
    const feed = new Feed(api, (name, data) => {
      bus.emit(name, data);
      const r = reload.current;
      if (name === 'ready') {  // (re)connected: what changed while offline is not in the feed
        void r.loadSpaces();
        void r.loadDetail();
      }
      if (name === 'memberLeave' && data?.userId === session.userId) {
        // Left or was removed: the space is no longer readable.
        setSpaces((list) => list && list.filter((x) => x.spaceId !== data.spaceId));
        void r.loadSpaces();
        if (data.spaceId === r.spaceId) r.navigate({ kind: 'home' }, true);
        return;
      }
      if (name === 'memberJoin' || name === 'memberLeave' || name === 'memberUpdate' ||
          name === 'channelCreate' || name === 'channelDelete' ||
          name === 'archetypeCreate' || name === 'archetypeUpdate') {
        void r.loadSpaces();
        if (data?.spaceId === r.spaceId) void r.loadDetail();
      }
      if (name === 'typingStart' && data?.userId !== session.userId) {
        setTyping((t) => ({ ...t, [data.channelId]: { ...(t[data.channelId] ?? {}), [data.userId]: Date.now() + TYPING_SHOWN_MS } }));
      } else if (name === 'typingStop' || name === 'messageCreate') {
        const channel = data?.channelId ?? data?.message?.channelId;
        const user = data?.userId ?? data?.message?.sender?.userId;
        setTyping((t) => {
          if (!t[channel]?.[user]) return t;
          const { [user]: _gone, ...rest } = t[channel];
          return { ...t, [channel]: rest };
        });
      }
    }, setFeedState);
    feedRef.current = feed;
    feed.start();
    return () => { feed.stop(); feedRef.current = null; };
  }, [api, bus, session.userId]);

  // Indicators whose typingStop never came go away on their own.
  useEffect(() => {
    const timer = setInterval(() => {
      const now = Date.now();
      setTyping((t) => {
        let changed = false;
        const next: typeof t = {};
        for (const [c, users] of Object.entries(t)) {
          next[c] = {};
          for (const [u, until] of Object.entries(users)) {
            if (until > now) next[c][u] = until; else changed = true;
          }
        }
        return changed ? next : t;
      });
    }, 1000);
    return () => clearInterval(timer);
  }, []);

  // Where to go when the address names no space or channel.
  useEffect(() => {
    if (route.kind === 'home' && spaces && spaces.length > 0)
      navigate({ kind: 'space', spaceId: spaces[0].spaceId }, true);
  }, [route.kind, spaces]);
  useEffect(() => {
    // No channel named, or the one named is gone (deleted, or not of this space): the first text one.
    if (detail && detail.spaceId === spaceId && !detail.channels.some((c) => c.channelId === channelId)) {
      const first = detail.channels.find((c) => c.channelType !== 1);
      if (first) navigate({ kind: 'space', spaceId: detail.spaceId, channelId: first.channelId }, true);
    }
  }, [detail, spaceId, channelId]);

  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const member of detail?.members ?? []) m.set(member.userId, member.displayName || member.username);
    return m;
  }, [detail]);
  const channel = detail?.channels.find((c) => c.channelId === channelId) ?? null;
  const typingHere = channelId ? Object.keys(typing[channelId] ?? {}) : [];

  const link = (r: Route) => ({
    href: routePath(r),
    onClick: (e: MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      setNavOpen(false);
      navigate(r);
    },
  });

  return (
    <div class="shell" data-nav-open={navOpen ? '' : undefined}
      data-members-open={membersOpen && detail ? '' : undefined}>
      <header class="topbar">
        <button type="button" class="nav-toggle" aria-expanded={navOpen} aria-controls="sidebar"
          onClick={() => setNavOpen(!navOpen)}>Menu</button>
        <span class="brand">argon</span>
        <span class={`feed-state ${feedState}`} role="status">
          {feedState === 'live' ? 'Live' : feedState === 'connecting' ? 'Connecting…' : 'Offline, reconnecting…'}
        </span>
        <a class="topbar-link" {...link({ kind: 'developers' })}>Developers</a>
        <PresenceMenu api={api} bus={bus} detail={detail} session={session} />
        <span class="me" title={`@${session.username}`}>{session.displayName}</span>
        <button type="button" onClick={onSignOut}>Sign out</button>
      </header>
      <nav id="sidebar" class="sidebar" aria-label="Spaces and channels">
        <h2 id="spaces-heading">Spaces</h2>
        <ul class="list" aria-labelledby="spaces-heading">
          {(spaces ?? []).map((s) => (
            <li key={s.spaceId}>
              <a {...link({ kind: 'space', spaceId: s.spaceId })}
                aria-current={s.spaceId === spaceId ? 'page' : undefined}>{s.name}</a>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => setDialog('space')}>New space</button>
        {detail && (
          <section aria-labelledby="channels-heading">
            <h2 id="channels-heading">{detail.name}</h2>
            <div class="actions">
              <button type="button" onClick={() => setDialog('invite')}>Invite people</button>
              <button type="button" aria-expanded={membersOpen} aria-controls="members-panel"
                onClick={() => { setMembersOpen(!membersOpen); setNavOpen(false); }}>Members</button>
              {allowed(detail, session.userId, MANAGE_ARCHETYPE) &&
                <button type="button" onClick={() => setRolesOpen(true)}>Roles</button>}
              {detail.ownerId !== session.userId &&
                <button type="button" onClick={() => setDialog('leave')}>Leave space</button>}
            </div>
            <h3>Channels</h3>
            <ul class="list">
              {detail.channels.map((c) => (
                <li key={c.channelId}>
                  {c.channelType === 1
                    ? <VoiceChannelItem store={voice} channel={c} names={names} />
                    : <a {...link({ kind: 'space', spaceId: detail.spaceId, channelId: c.channelId })}
                      aria-current={c.channelId === channelId ? 'page' : undefined}># {c.name}</a>}
                </li>
              ))}
            </ul>
            {allowed(detail, session.userId, MANAGE_CHANNELS) &&
              <button type="button" onClick={() => setDialog('channel')}>New channel</button>}
            <BotCalls store={voice} members={detail.members} />
          </section>
        )}
        <a class="dev-link" {...link({ kind: 'developers' })}>Developer console</a>
        <button type="button" class="link sessions-link" onClick={() => setSessionsOpen(true)}>Your sessions</button>
      </nav>
      {sessionsOpen && <SessionsDialog api={api} onClose={() => setSessionsOpen(false)} onSignOut={onSignOut} />}
      <main class="main">
        <VoicePanel store={voice} names={names} myName={session.displayName} />
        {error && <p class="error" role="alert">{error} <button type="button" class="link" onClick={() => setError('')}>Dismiss</button></p>}
        {channel
          ? <ChannelView key={channel.channelId} api={api} bus={bus} channel={channel} session={session}
            names={names} typing={typingHere}
            canManage={!!detail && allowed(detail, session.userId, MANAGE_CHANNELS)}
            onDeleted={() => { void loadDetail(); navigate({ kind: 'space', spaceId: channel.spaceId }, true); }} />
          : spaces && spaces.length === 0
            ? <div class="empty"><h1>Welcome, {session.displayName}</h1>
              <p>Create a space to start talking, or open an invite link someone sent you.</p>
              <button type="button" class="primary" onClick={() => setDialog('space')}>Create a space</button></div>
            : <div class="empty"><p>Loading…</p></div>}
      </main>
      {membersOpen && detail && (
        <MembersPanel api={api} bus={bus} detail={detail} session={session} reload={() => void loadDetail()}
          onClose={() => setMembersOpen(false)} />
      )}
      {rolesOpen && detail && <RolesDialog api={api} detail={detail} onClose={() => setRolesOpen(false)} />}
      {dialog === 'space' && (
        <CreateSpaceDialog api={api} onClose={() => setDialog(null)} onCreated={(id) => {
          setDialog(null);
          void loadSpaces();
          navigate({ kind: 'space', spaceId: id });
        }} />
      )}
      {dialog === 'channel' && detail && (
        <CreateChannelDialog api={api} space={detail} onClose={() => setDialog(null)} onCreated={(c) => {
          setDialog(null);
          // In the list at once (the address below must name a known channel), then reloaded.
          setDetail((d) => d && d.spaceId === c.spaceId && !d.channels.some((x) => x.channelId === c.channelId)
            ? { ...d, channels: [...d.channels, c] } : d);
          void loadDetail();
          if (c.channelType !== 1) navigate({ kind: 'space', spaceId: c.spaceId, channelId: c.channelId });
        }} />
      )}
      {dialog === 'leave' && detail && (
        <LeaveSpaceDialog api={api} space={detail} userId={session.userId} onClose={() => setDialog(null)}
          onLeft={() => {
            const left = detail.spaceId;
            setDialog(null);
            ++detailLoad.current;  // a detail still loading is of the space just left
            setDetail(null);
            setSpaces((list) => list && list.filter((x) => x.spaceId !== left));
            void loadSpaces();
            navigate({ kind: 'home' });
          }} />
      )}
      {dialog === 'invite' && detail && (
        <InviteDialog api={api} space={detail} onClose={() => setDialog(null)} />
      )}
    </div>
  );
}

function CreateSpaceDialog({ api, onClose, onCreated }: {
  api: Api; onClose: () => void; onCreated: (spaceId: string) => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const created = await api.post<{ spaceId: string }>('/api/v1/spaces', { name: name.trim() });
      onCreated(created.spaceId);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong.');
      setBusy(false);
    }
  };
  return (
    <Modal title="Create a space" onClose={onClose}>
      <form onSubmit={submit}>
        <label>Name
          <input name="spaceName" required maxLength={100} value={name} autoFocus
            onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !name.trim()}>Create</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}

function InviteDialog({ api, space, onClose }: { api: Api; space: SpaceDetail; onClose: () => void }) {
  const [url, setUrl] = useState('');
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    api.post<{ code: string }>(`/api/v1/spaces/${enc(space.spaceId)}/invites`)
      .then((r) => setUrl(`${location.origin}${routePath({ kind: 'invite', code: r.code })}`))
      .catch((err) => setError(err instanceof ApiError ? err.message : 'Something went wrong.'));
  }, [api, space.spaceId]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Modal title={`Invite people to ${space.name}`} onClose={onClose}>
      {error ? <p class="error" role="alert">{error}</p> : (
        <>
          <label>Invite link
            <input name="inviteLink" readOnly value={url} placeholder="Creating a link…"
              onFocus={(e) => e.currentTarget.select()} />
          </label>
          <p class="hint">Anyone with the link can join this space.</p>
        </>
      )}
      <div class="actions">
        <button type="button" class="primary" disabled={!url} onClick={copy}>{copied ? 'Copied' : 'Copy link'}</button>
        <button type="button" onClick={onClose}>Done</button>
      </div>
    </Modal>
  );
}

function CreateChannelDialog({ api, space, onClose, onCreated }: {
  api: Api; space: SpaceDetail; onClose: () => void; onCreated: (c: Channel) => void;
}) {
  const [name, setName] = useState('');
  const [type, setType] = useState(0);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      onCreated(await api.post<Channel>(`/api/v1/spaces/${enc(space.spaceId)}/channels`,
        { name: name.trim(), channelType: type }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong.');
      setBusy(false);
    }
  };
  return (
    <Modal title={`New channel in ${space.name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <label>Name
          <input name="channelName" required maxLength={100} value={name} autoFocus
            onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <fieldset class="choice">
          <legend>Kind</legend>
          <label><input type="radio" name="channelType" checked={type === 0} onChange={() => setType(0)} /> Text</label>
          <label><input type="radio" name="channelType" checked={type === 1} onChange={() => setType(1)} /> Voice</label>
        </fieldset>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !name.trim()}>Create channel</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}

function LeaveSpaceDialog({ api, space, userId, onClose, onLeft }: {
  api: Api; space: SpaceDetail; userId: string; onClose: () => void; onLeft: () => void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const leave = async () => {
    setBusy(true);
    try {
      await api.del(`/api/v1/spaces/${enc(space.spaceId)}/members/${enc(userId)}`);
      onLeft();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong.');
      setBusy(false);
    }
  };
  return (
    <Modal title={`Leave ${space.name}?`} onClose={onClose}>
      <p>You will need a new invite to come back.</p>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={leave}>Leave space</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </Modal>
  );
}
