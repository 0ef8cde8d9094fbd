// Voice in the page (docs/web-client.md "Voice"): joining a voice channel or calling a bot, who is
// in it, who is speaking, mute, leave / hang up. The audio itself is audio.ts. One voice session
// at a time: joining another channel, or calling, ends the current one.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { VoiceConnection, voiceUnsupported } from './audio';
import type { Bus, Channel, Member } from './shell';

type Target =
  | { kind: 'channel'; spaceId: string; channelId: string; name: string }
  | { kind: 'call'; peerId: string; peerName: string; callId: string | null };
type Phase = 'joining' | 'ringing' | 'connecting' | 'connected';

export interface VoiceState {
  target: Target | null;
  phase: Phase | null;
  muted: boolean;
  /** What went wrong or how it ended ("The bot rejected the call."): shown until the next action. */
  notice: { text: string; alert: boolean } | null;
  /** The microphone could not be used: listening only. */
  micProblem: string | null;
}

const CALL_ENDED: Record<string, string> = {
  hung_up: 'The call ended.',
  rejected: 'The bot rejected the call.',
  timeout: 'No answer: the call rang out.',
};

function nameOf(user: any): string {
  return (user && (user.displayName || user.username)) || 'Someone';
}

/** The page's voice session and what the feed says about who is in which voice channel. */
export class VoiceStore {
  state: VoiceState = { target: null, phase: null, muted: false, notice: null, micProblem: null };
  conn: VoiceConnection | null = null;
  /** channelId → userId → name: GET /api/v1/spaces/{id}/voice for each space shown, then the
   *  feed's voiceJoin/voiceLeave. */
  rooms = new Map<string, Map<string, string>>();
  private roomSpace = new Map<string, string>();  // channelId → spaceId
  private watched = new Set<string>();
  private loading = new Map<string, any[]>();  // spaceId → voice events seen while its list loads
  private listeners = new Set<() => void>();
  private early = new Map<string, { name: string; data: any }>();  // call events before POST answered
  private unsubscribe: () => void;

  constructor(private api: Api, bus: Bus, readonly userId: string) {
    this.unsubscribe = bus.on((name, data) => this.onEvent(name, data));
  }

  subscribe(l: () => void) { this.listeners.add(l); return () => { this.listeners.delete(l); }; }
  private set(patch: Partial<VoiceState>) {
    this.state = { ...this.state, ...patch };
    for (const l of [...this.listeners]) l();
  }

  dispose() {
    this.unsubscribe();
    this.stop();
    this.listeners.clear();
  }

  async joinChannel(channel: Channel) {
    if (this.state.target?.kind === 'channel' && this.state.target.channelId === channel.channelId) return;
    await this.end();
    const target: Target = { kind: 'channel', spaceId: channel.spaceId, channelId: channel.channelId, name: channel.name };
    this.set({ target, phase: 'joining', notice: null, micProblem: null, muted: false });
    const unsupported = await voiceUnsupported();
    if (unsupported) return this.fail(unsupported);
    try {
      const grant = await this.api.post<{ url: string }>(`/api/v1/channels/${enc(channel.channelId)}/voice`);
      const { ticket } = await this.api.post<{ ticket: string }>('/api/v1/auth/tickets');
      if (this.state.target !== target) return;
      this.connect(`${socketUrl(grant.url)}?ticket=${enc(ticket)}&channelId=${enc(channel.channelId)}`);
    } catch (e) {
      if (this.state.target !== target) return;
      this.fail(e instanceof ApiError && e.code === 'missing_permission'
        ? `You may not join #${channel.name}: you lack the ${e.message.includes('Connect') ? 'Connect' : 'needed'} permission.`
        : e instanceof ApiError ? `Could not join voice: ${e.message}` : 'Could not join voice.');
      if (!(e instanceof ApiError && e.status === 403)) this.api.del(`/api/v1/channels/${enc(channel.channelId)}/voice`).catch(() => {});
    }
  }

  async call(peerId: string, peerName: string) {
    await this.end();
    const target: Target & { kind: 'call' } = { kind: 'call', peerId, peerName, callId: null };
    this.set({ target, phase: 'ringing', notice: null, micProblem: null, muted: false });
    const unsupported = await voiceUnsupported();
    if (unsupported) return this.fail(unsupported);
    try {
      const { callId } = await this.api.post<{ callId: string }>('/api/v1/calls', { userId: peerId });
      if (this.state.target !== target) {  // hung up while ringing
        this.api.del(`/api/v1/calls/${enc(callId)}`).catch(() => {});
        return;
      }
      target.callId = callId;
      const early = this.early.get(callId);
      this.early.clear();
      if (early) this.onEvent(early.name, early.data);
    } catch (e) {
      if (this.state.target === target)
        this.fail(e instanceof ApiError ? `Could not call ${peerName}: ${e.message}` : `Could not call ${peerName}.`);
    }
  }

  /** Leave (DELETE voice) or hang up (DELETE the call). */
  async end() {
    const target = this.state.target;
    const conn = this.conn;
    this.conn = null;  // its close is ours: not reported
    if (!target) { conn?.close(); return; }
    this.set({ target: null, phase: null });
    // The server is told first (it closes the socket itself): a socket closed first would end the
    // call or leave the channel on its own, and the DELETE would find nothing (404).
    try {
      if (target.kind === 'channel') {
        await this.api.del(`/api/v1/channels/${enc(target.channelId)}/voice`).catch(() => {});
      } else if (target.callId) {
        await this.api.del(`/api/v1/calls/${enc(target.callId)}`).catch(() => {});
      }
    } finally {
      conn?.close();
    }
  }

  setMuted(muted: boolean) {
    this.conn?.setMuted(muted);
    this.set({ muted });
  }

  dismiss() { this.set({ notice: null }); }

  private connect(url: string) {
    this.stop();
    this.set({ phase: 'connecting' });
    const conn = new VoiceConnection(url, {
      onReady: () => { if (this.conn === conn) this.set({ phase: 'connected' }); },
      onMicError: (message) => { if (this.conn === conn) this.set({ micProblem: message }); },
      onClosed: (code, reason) => {
        if (this.conn !== conn) return;
        this.conn = null;
        const target = this.state.target;
        // A call's socket closes when the call ends: callEnded says why.
        if (target?.kind === 'call' && code === 1000) return;
        this.set({ target: null, phase: null });
        this.fail(closeMessage(code, reason), code === 1000);
        // Lost or refused (not left, not kicked): the server may still count us in (a join's
        // grace, a live call); say we are gone.
        if (code !== 1000 && code !== 4001) {
          const gone = target?.kind === 'channel' ? `/api/v1/channels/${enc(target.channelId)}/voice`
            : target?.kind === 'call' && target.callId ? `/api/v1/calls/${enc(target.callId)}` : null;
          if (gone) this.api.del(gone).catch(() => {});
        }
      },
    });
    conn.setMuted(this.state.muted);
    this.conn = conn;
  }

  private stop() {
    const conn = this.conn;
    this.conn = null;
    conn?.close();
  }

  private fail(text: string, quiet = false) {
    this.stop();
    this.set({ target: null, phase: null, notice: { text, alert: !quiet } });
  }

  /** Who is in the voice channels of a space: loaded once per feed connection, then kept by events. */
  watchSpace(spaceId: string) {
    if (this.watched.has(spaceId)) return;
    this.watched.add(spaceId);
    void this.loadSpace(spaceId);
  }

  private async loadSpace(spaceId: string) {
    const seen: any[] = [];
    this.loading.set(spaceId, seen);
    let list: { channelId: string; user: any }[];
    try {
      list = (await this.api.get<{ participants: { channelId: string; user: any }[] }>(
        `/api/v1/spaces/${enc(spaceId)}/voice`)).participants;
    } catch {
      if (this.loading.get(spaceId) === seen) this.loading.delete(spaceId);
      return;  // not a member any more, or offline: the events still say what changes
    }
    if (this.loading.get(spaceId) !== seen) return;  // the feed reconnected: a newer load runs
    this.loading.delete(spaceId);
    const rooms = new Map(this.rooms);
    for (const [channelId, space] of this.roomSpace) if (space === spaceId) rooms.delete(channelId);
    for (const p of list) {
      if (typeof p?.channelId !== 'string' || typeof p?.user?.userId !== 'string') continue;
      this.roomSpace.set(p.channelId, spaceId);
      rooms.set(p.channelId, new Map(rooms.get(p.channelId) ?? []).set(p.user.userId, nameOf(p.user)));
    }
    this.rooms = rooms;
    for (const e of seen) this.applyVoiceEvent(e.name, e.data);  // what changed while it loaded
    this.notify();
  }

  private applyVoiceEvent(name: string, data: any) {
    const userId: string = data.user.userId;
    if (typeof data.spaceId === 'string') this.roomSpace.set(data.channelId, data.spaceId);
    const room = new Map(this.rooms.get(data.channelId) ?? []);
    if (name === 'voiceJoin') room.set(userId, nameOf(data.user)); else room.delete(userId);
    this.rooms = new Map(this.rooms).set(data.channelId, room);
  }

  private onEvent(name: string, data: any) {
    if (name === 'ready') {
      // The feed (re)connected: what happened while it was away is not in it; load again.
      for (const spaceId of this.watched) void this.loadSpace(spaceId);
    } else if (name === 'memberLeave' && data?.userId === this.userId) {
      this.watched.delete(data.spaceId);  // left or removed: its voice list is not ours to read
    } else if (name === 'voiceJoin' || name === 'voiceLeave') {
      const userId = data?.user?.userId;
      if (typeof data?.channelId !== 'string' || typeof userId !== 'string') return;
      this.applyVoiceEvent(name, data);
      this.loading.get(data.spaceId)?.push({ name, data });
      const t = this.state.target;
      if (t?.kind === 'channel' && t.channelId === data.channelId) {
        if (name === 'voiceLeave') this.conn?.forget(userId); else this.conn?.welcome(userId);
      }
      this.notify();
    } else if (name === 'callAccepted' || name === 'callEnded') {
      const t = this.state.target;
      if (t?.kind !== 'call') return;
      if (!t.callId) { this.early.set(data?.callId, { name, data }); return; }
      if (data?.callId !== t.callId) return;
      if (name === 'callAccepted' && typeof data.url === 'string' && typeof data.token === 'string') {
        // A call socket takes the voice token of callAccepted (?token=): tickets name a channel.
        this.connect(`${socketUrl(data.url)}?token=${enc(data.token)}`);
      } else if (name === 'callEnded') {
        this.stop();
        this.set({ target: null, phase: null, notice: { text: CALL_ENDED[data.reason] ?? 'The call ended.', alert: data.reason !== 'hung_up' } });
      }
    }
  }

  private notify() { for (const l of [...this.listeners]) l(); }
}

/** The socket URL of a join or a call; on an HTTPS page a ws: URL would be blocked as mixed content. */
function socketUrl(url: string): string {
  return location.protocol === 'https:' && url.startsWith('ws:') ? `wss:${url.slice(3)}` : url;
}

function closeMessage(code: number, reason: string): string {
  if (code === 4001) return 'You were disconnected from voice by a moderator.';
  if (code === 1007) return 'The server refused our audio (a malformed Opus packet) and closed the connection.';
  if (code === 1009) return 'The server refused an oversized audio frame and closed the connection.';
  if (code === 1000) return reason === 'left' ? 'You left the voice channel.' : 'The voice connection was closed.';
  return `The voice connection was lost${code ? ` (code ${code})` : ''}.`;
}

/** The store, for as long as the signed-in shell lives. */
export function useVoiceStore(api: Api, bus: Bus, userId: string): VoiceStore {
  const store = useMemo(() => new VoiceStore(api, bus, userId), [api, bus, userId]);
  useEffect(() => () => store.dispose(), [store]);
  return store;
}

function useStore(store: VoiceStore): VoiceState {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((v) => v + 1)), [store]);
  return store.state;
}

/** A voice channel in the channel list: a Join button, and who is in it. */
export function VoiceChannelItem({ store, channel, names }: {
  store: VoiceStore; channel: Channel; names: Map<string, string>;
}) {
  const state = useStore(store);
  const here = state.target?.kind === 'channel' && state.target.channelId === channel.channelId;
  useEffect(() => store.watchSpace(channel.spaceId), [store, channel.spaceId]);
  const people = [...(store.rooms.get(channel.channelId) ?? new Map<string, string>())];
  return (
    <div class="voice-channel">
      <button type="button" class="voice-join" aria-pressed={here}
        aria-label={here ? `In voice channel ${channel.name}` : `Join voice channel ${channel.name}`}
        disabled={here} onClick={() => void store.joinChannel(channel)}>
        <span class="voice-channel-name">{channel.name}</span>
        <span class="voice-tag" aria-hidden="true">{here ? 'connected' : 'voice · join'}</span>
      </button>
      {people.length > 0 && (
        <ul class="voice-people" aria-label={`In ${channel.name}`}>
          {people.map(([id, name]) => <li key={id}>{names.get(id) ?? name}</li>)}
        </ul>
      )}
    </div>
  );
}

/** Bots of the space one can call (bot usernames end in `_bot`). */
export function BotCalls({ store, members }: { store: VoiceStore; members: Member[] }) {
  const state = useStore(store);
  const bots = members.filter((m) => m.username.endsWith('_bot'));
  if (bots.length === 0) return null;
  const busy = state.target?.kind === 'call';
  return (
    <>
      <h3 id="bot-calls-heading">Call a bot</h3>
      <ul class="list bot-calls" aria-labelledby="bot-calls-heading">
        {bots.map((b) => (
          <li key={b.userId}>
            <span>{b.displayName || b.username}</span>
            <button type="button" class="small" disabled={busy}
              aria-label={`Call ${b.displayName || b.username}`}
              onClick={() => void store.call(b.userId, b.displayName || b.username)}>Call</button>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The current voice session: who is in it, who speaks, mute, leave / hang up. */
export function VoicePanel({ store, names, myName }: {
  store: VoiceStore; names: Map<string, string>; myName: string;
}) {
  const state = useStore(store);
  const [, setTick] = useState(0);
  const live = state.phase === 'connected' || state.phase === 'connecting';
  // Speaking and frame counts change many times a second: read them from the connection 5 times one.
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setTick((t) => t + 1), 200);
    return () => clearInterval(timer);
  }, [live]);

  const { target, phase, notice } = state;
  if (!target && !notice) return null;
  const conn = store.conn;
  const heard = conn?.heard() ?? new Map();

  // Who is in it: the feed's voiceJoin/voiceLeave, and anyone heard (they joined before this page).
  const people = new Map<string, string>();
  if (target?.kind === 'channel') {
    for (const [id, name] of store.rooms.get(target.channelId) ?? []) people.set(id, names.get(id) ?? name);
  } else if (target?.kind === 'call') {
    people.set(target.peerId, target.peerName);
  }
  for (const id of heard.keys()) if (!people.has(id)) people.set(id, names.get(id) ?? 'Someone');
  people.delete(store.userId);

  const title = target?.kind === 'channel' ? `Voice: ${target.name}` : target ? `Call with ${target.peerName}` : 'Voice';
  const status = phase === 'joining' ? 'Joining…' : phase === 'ringing' ? 'Ringing…'
    : phase === 'connecting' ? 'Connecting…' : phase === 'connected' ? 'Connected' : '';
  return (
    <section class="voice-panel" aria-labelledby="voice-panel-title">
      <div class="voice-head">
        <h2 id="voice-panel-title">{title}</h2>
        <span class="voice-status" role="status">{status}</span>
        {target && (
          <div class="actions">
            <button type="button" aria-pressed={state.muted} disabled={phase !== 'connected'}
              onClick={() => store.setMuted(!state.muted)}>{state.muted ? 'Unmute' : 'Mute'}</button>
            <button type="button" class="danger" onClick={() => void store.end()}>
              {target.kind === 'call' ? 'Hang up' : 'Leave'}</button>
          </div>
        )}
      </div>
      {notice && (
        <p class={notice.alert ? 'error' : 'note'} role={notice.alert ? 'alert' : 'status'}>
          {notice.text} <button type="button" class="link" onClick={() => store.dismiss()}>Dismiss</button>
        </p>
      )}
      {state.micProblem && target && <p class="note" role="status">{state.micProblem}</p>}
      {target && phase !== 'joining' && phase !== 'ringing' && (
        <ul class="voice-participants" aria-label="Participants">
          <li data-user-id={store.userId} data-speaking={conn?.speaking() ? '' : undefined}>
            <span class="voice-dot" aria-hidden="true" />
            <span class="voice-name">{myName} (you)</span>
            <span class="voice-info">{state.muted ? 'muted' : conn?.speaking() ? 'speaking' : ''}</span>
          </li>
          {[...people].map(([id, name]) => {
            const h = heard.get(id);
            const frames = h?.frames ?? 0;
            return (
              <li key={id} data-user-id={id} data-speaking={h?.speaking ? '' : undefined} data-frames={frames}>
                <span class="voice-dot" aria-hidden="true" />
                <span class="voice-name">{name}</span>
                <span class="voice-info">
                  {h?.speaking ? 'speaking' : ''}
                  {frames > 0 && <span class="hint"> · heard {(frames * 0.02).toFixed(1)} s</span>}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
