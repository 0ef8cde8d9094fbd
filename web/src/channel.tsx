// One text channel: its history (the message list, newest first from the API, shown oldest
// first), new messages and edits from the live feed, the composer, and who is typing.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { Modal } from './dialog';
import { Entity, RichText } from './entities';
import { ControlRow, MessageControls, controlRows } from './controls';
import { useCommandPicker } from './commands';
import { BotActivity } from './modal';
import { ListControl, MessageList } from './list';
import type { Bus, Channel } from './shell';
import type { Session } from './session';

interface Msg {
  id: string;
  senderId: string;
  senderName?: string;
  text: string;
  entities: Entity[];
  createdAt: string;
  edited?: boolean;
  replyTo?: string;
  reactions: Reaction[];
  controls?: ControlRow[];  // a bot's buttons and selects
}

// userIds holds the first three who reacted (docs/client-api.md), so whether the person is among
// the others is known only from what they did here (`mine`).
interface Reaction { emoji: string; count: number; userIds: string[]; mine?: boolean }

const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '🙏'];

const PAGE = 50;
const OLDER_PAGE = 100;  // the API's largest page: fewer round trips when scrolling far back
const TYPING_EVERY_MS = 5_000;  // the server's indicator lasts 8 s

// The message list's shape (creatorId, createdAt) and the feed's (sender, timeSent).
function toMsg(m: any): Msg {
  return {
    id: String(m.messageId),
    senderId: m.creatorId ?? m.sender?.userId ?? '',
    senderName: m.sender?.displayName ?? m.sender?.username,
    text: m.text ?? '',
    entities: Array.isArray(m.entities) ? m.entities : [],
    createdAt: m.createdAt ?? m.timeSent ?? new Date().toISOString(),
    replyTo: m.replyTo != null ? String(m.replyTo) : m.replyId != null ? String(m.replyId) : undefined,
    reactions: Array.isArray(m.reactions)
      ? m.reactions.map((r: any) => ({ emoji: String(r.emoji), count: Number(r.count) || 0, userIds: r.userIds ?? [] }))
      : [],
    controls: controlRows(m.controls),
  };
}

function reacted(list: Reaction[], emoji: string, userId: string, me: string, add: boolean): Reaction[] {
  const at = list.findIndex((r) => r.emoji === emoji);
  if (add) {
    const mine = userId === me ? true : undefined;
    if (at < 0) return [...list, { emoji, count: 1, userIds: [userId], mine }];
    const r = list[at];
    const next = { ...r, count: r.count + 1, userIds: r.userIds.length < 3 ? [...r.userIds, userId] : r.userIds,
      mine: mine ?? r.mine };
    return list.map((x, i) => (i === at ? next : x));
  }
  if (at < 0) return list;
  const r = list[at];
  if (r.count <= 1) return list.filter((_, i) => i !== at);
  const next = { ...r, count: r.count - 1, userIds: r.userIds.filter((u) => u !== userId),
    mine: userId === me ? false : r.mine };
  return list.map((x, i) => (i === at ? next : x));
}

function snippet(text: string) {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

// Ids are decimal int64 strings without leading zeros: shorter is smaller, else compare the text
// (no BigInt per comparison: merging into 10,000 messages stays cheap).
function cmpId(x: string, y: string) {
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}
function byId(a: Msg, b: Msg) {
  return cmpId(a.id, b.id);
}

function merge(list: Msg[], more: Msg[]): Msg[] {
  if (more.length === 0) return list;
  const sorted = [...more].sort(byId);
  // The usual cases, without re-sorting everything: a new message after the last, an older page
  // before the first.
  if (list.length === 0) return sorted;
  if (cmpId(sorted[0].id, list[list.length - 1].id) > 0) return list.concat(sorted);
  if (cmpId(sorted[sorted.length - 1].id, list[0].id) < 0) return sorted.concat(list);
  const seen = new Map(list.map((m) => [m.id, m]));
  for (const m of more) {
    const old = seen.get(m.id);
    // What the person did here (mine) survives a reload of the page of messages.
    const reactions = old ? m.reactions.map((r) => ({ ...r, mine: old.reactions.find((o) => o.emoji === r.emoji)?.mine })) : m.reactions;
    seen.set(m.id, { ...old, ...m, reactions });
  }
  return [...seen.values()].sort(byId);
}

function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

// One formatter for every message: toLocaleTimeString with options builds a new one per call,
// which was most of the script time of scrolling a long list.
const TIME = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
function time(iso: string) {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? '' : TIME.format(d);
}

export function ChannelView({ api, bus, channel, session, names, typing, canManage, onDeleted }: {
  api: Api; bus: Bus; channel: Channel; session: Session; names: Map<string, string>; typing: string[];
  canManage: boolean; onDeleted: () => void;
}) {
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [messages, setMessages] = useState<Msg[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [hasOlder, setHasOlder] = useState(false);
  const [draft, setDraft] = useState('');
  const [replyTo, setReplyTo] = useState<Msg | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [editText, setEditText] = useState('');
  const [picking, setPicking] = useState<string | null>(null);  // the message whose picker is open
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const [error, setError] = useState('');
  const listControl = useRef<ListControl | null>(null);
  const lastTyping = useRef(0);
  const base = `/api/v1/channels/${enc(channel.channelId)}`;

  useEffect(() => {
    let live = true;
    const latest = (first: boolean) =>
      api.get<{ messages: any[] }>(`${base}/messages?limit=${PAGE}`).then((r) => {
        if (!live) return;
        setMessages((now) => merge(now, r.messages.map(toMsg)));
        if (first) setHasOlder(r.messages.length === PAGE);
        setLoaded(true);
      }).catch((e) => live && setError(e instanceof ApiError ? e.message : 'Cannot load messages.'));
    void latest(true);
    const off = bus.on((name, data) => {
      // The feed (re)connected: what was sent while it was not live is in the latest page.
      if (name === 'ready') void latest(false);
      if (name === 'messageEdit' && String(data?.channelId) === channel.channelId) {
        // {messageId, text, updatedAt}: new text without new spans drops the old entities.
        const id = String(data.messageId);
        setMessages((now) => now.map((x) => x.id === id ? { ...x, text: data.text ?? '', entities: [], edited: true } : x));
        // The event has no entities or controls: read the message itself (the page before id+1).
        api.get<{ messages: any[] }>(`${base}/messages?limit=1&from=${BigInt(id) + 1n}`).then((r) => {
          const m = r.messages.find((x) => String(x.messageId) === id);
          if (live && m) setMessages((now) => now.some((x) => x.id === id) ? merge(now, [toMsg(m)]) : now);
        }).catch(() => {});
        return;
      }
      if ((name === 'reactionAdd' || name === 'reactionRemove') && String(data?.channelId) === channel.channelId) {
        const id = String(data.messageId);
        setMessages((now) => now.map((x) => x.id === id
          ? { ...x, reactions: reacted(x.reactions, String(data.emoji), String(data.userId), session.userId, name === 'reactionAdd') }
          : x));
        return;
      }
      const m = data?.message;
      if (!m || String(m.channelId) !== channel.channelId) return;
      if (name === 'messageCreate') setMessages((now) => merge(now, [toMsg(m)]));
    });
    return () => { live = false; off(); };
  }, [api, bus, channel.channelId]);

  // Nearing the top loads the page before it (the button does the same from the keyboard); the
  // list keeps what is on screen where it is (list.tsx).
  const loadingOlder = useRef(false);
  const loadOlder = async () => {
    if (messages.length === 0 || loadingOlder.current) return;
    loadingOlder.current = true;
    try {
      const r = await api.get<{ messages: any[] }>(`${base}/messages?limit=${OLDER_PAGE}&from=${enc(messages[0].id)}`);
      setHasOlder(r.messages.length === OLDER_PAGE);
      setMessages((now) => merge(now, r.messages.map(toMsg)));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Cannot load messages.');
    } finally {
      loadingOlder.current = false;
    }
  };

  const onInput = (value: string) => {
    setDraft(value);
    const now = Date.now();
    if (value.trim() && !value.startsWith('/') && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      api.post(`${base}/typing`).catch(() => {});
    }
  };

  const send = async () => {
    const text = draft.trim();
    if (!text) return;
    setDraft('');
    setError('');
    lastTyping.current = 0;
    listControl.current?.toBottom();
    // randomId makes a retried send idempotent (docs/client-api.md).
    const randomId = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
    const body: Record<string, unknown> = { text, randomId };
    const reply = replyTo;
    if (reply) body.replyTo = reply.id;  // int64 ids go back as strings
    setReplyTo(null);
    try {
      const r = await api.post<{ messageId: string | number }>(`${base}/messages`, body);
      setMessages((now) => merge(now, [{
        id: String(r.messageId), senderId: session.userId, senderName: session.displayName, text,
        entities: [], createdAt: new Date().toISOString(), replyTo: reply?.id, reactions: [],
      }]));
      api.del(`${base}/typing`).catch(() => {});
    } catch (e) {
      setDraft(text);
      setReplyTo(reply);
      setError(e instanceof ApiError ? e.message : 'The message was not sent.');
    }
  };

  const startEdit = (m: Msg) => {
    setEditing(m.id);
    setEditText(m.text);
  };
  const saveEdit = async (m: Msg) => {
    const text = editText.trim();
    if (!text || text === m.text) { setEditing(null); return; }
    try {
      await api.call('PATCH', `${base}/messages/${enc(m.id)}`, { text });
      setMessages((now) => now.map((x) => x.id === m.id ? { ...x, text, entities: [], edited: true } : x));
      setEditing(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The message was not changed.');
    }
  };
  const startReply = (m: Msg) => {
    setReplyTo(m);
    composerRef.current?.focus();
  };
  // The change shows when the feed delivers it (reactionAdd / reactionRemove), once for everyone.
  const react = async (m: Msg, emoji: string) => {
    setPicking(null);
    const r = m.reactions.find((x) => x.emoji === emoji);
    const mine = r ? (r.mine ?? r.userIds.includes(session.userId)) : false;
    const path = `${base}/messages/${enc(m.id)}/reactions`;
    try {
      if (mine) await api.call('DELETE', path, { emoji });
      else await api.post(path, { emoji });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'already_reacted') {
        await api.call('DELETE', path, { emoji }).catch(() => {});
      } else {
        setError(e instanceof ApiError ? e.message : 'The reaction was not changed.');
      }
    }
  };
  const nameFor = (m: Msg) => names.get(m.senderId) ?? m.senderName ?? 'Unknown';
  const byIdMap = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);

  const nameOf = (id: string) => names.get(id);
  const picker = useCommandPicker({ api, bus, channel, names, draft, setDraft, focusComposer: () => composerRef.current?.focus() });
  const typingNames = typing.map((id) => names.get(id) ?? 'Someone');

  return (
    <section class="channel" aria-labelledby="channel-title">
      <header class="channel-header">
        <h1 id="channel-title"># {channel.name}</h1>
        {canManage && <button type="button" onClick={() => setConfirmDelete(true)}>Delete channel</button>}
      </header>
      {confirmDelete && (
        <Modal title={`Delete #${channel.name}?`} onClose={() => setConfirmDelete(false)}>
          <p>Its messages go with it, for everyone.</p>
          <div class="actions">
            <button type="button" class="primary danger" onClick={() => {
              api.del(`/api/v1/spaces/${enc(channel.spaceId)}/channels/${enc(channel.channelId)}`)
                .then(() => { setConfirmDelete(false); onDeleted(); })
                .catch((e) => { setConfirmDelete(false); setError(e instanceof ApiError ? e.message : 'Not deleted.'); });
            }}>Delete channel</button>
            <button type="button" onClick={() => setConfirmDelete(false)}>Cancel</button>
          </div>
        </Modal>
      )}
      <MessageList items={messages} label={`Messages in #${channel.name}`} control={listControl}
        onNearTop={() => { if (hasOlder) void loadOlder(); }}
        mineId={(m) => m.senderId === session.userId}
        describe={(m) => `${nameFor(m)}: ${snippet(m.text)}`}
        render={(m, attrs) => (
            <li key={m.id} {...attrs} class="message" data-mine={m.senderId === session.userId ? '' : undefined}>
              {m.replyTo && (() => {
                const original = byIdMap.get(m.replyTo);
                return <div class="reply-ref">{original
                  ? <button type="button" class="link reply-jump" onClick={() => listControl.current?.jumpTo(original.id)}>
                    Reply to <span class="sender">{nameFor(original)}</span>: {snippet(original.text)}</button>
                  : 'Reply to an earlier message'}</div>;
              })()}
              <div class="meta">
                <span class="sender">{nameFor(m)}</span>
                <time dateTime={m.createdAt}>{time(m.createdAt)}</time>
                {m.edited && <span class="hint">(edited)</span>}
                <span class="message-actions">
                  <button type="button" class="small" aria-expanded={picking === m.id}
                    aria-label={`Add a reaction to ${nameFor(m)}'s message`}
                    onClick={() => setPicking(picking === m.id ? null : m.id)}>React</button>
                  <button type="button" class="small" aria-label={`Reply to ${nameFor(m)}`}
                    onClick={() => startReply(m)}>Reply</button>
                  {m.senderId === session.userId && editing !== m.id &&
                    <button type="button" class="small" aria-label="Edit your message" onClick={() => startEdit(m)}>Edit</button>}
                </span>
              </div>
              {editing === m.id ? (
                <form class="edit" onSubmit={(e) => { e.preventDefault(); void saveEdit(m); }}>
                  <label class="visually-hidden" for={`edit-${m.id}`}>Edit message</label>
                  <textarea id={`edit-${m.id}`} rows={2} maxLength={4000} value={editText} autoFocus
                    onInput={(e) => setEditText(e.currentTarget.value)}
                    onKeyDown={(e) => {
                      if (e.key === 'Escape') { e.preventDefault(); setEditing(null); }
                      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); void saveEdit(m); }
                    }} />
                  <div class="actions">
                    <button type="submit" class="primary small">Save</button>
                    <button type="button" class="small" onClick={() => setEditing(null)}>Cancel</button>
                  </div>
                </form>
              ) : (
                <div class="text"><RichText text={m.text} entities={m.entities} nameOf={nameOf} /></div>
              )}
              {m.controls && <MessageControls api={api} bus={bus} channel={channel} session={session} messageId={m.id} rows={m.controls} botUserId={m.senderId} botName={nameFor(m)} />}
              {(m.reactions.length > 0 || picking === m.id) && <div class="reactions">
                {m.reactions.map((r) => {
                  const mine = r.mine ?? r.userIds.includes(session.userId);
                  return (
                    <button type="button" key={r.emoji} class="reaction small" aria-pressed={mine}
                      aria-label={`${r.emoji} ${r.count}`} onClick={() => void react(m, r.emoji)}>
                      {r.emoji} {r.count}
                    </button>
                  );
                })}
                {picking === m.id && (
                  <span role="group" aria-label="Reactions" class="picker"
                    onKeyDown={(e) => { if (e.key === 'Escape') setPicking(null); }}>
                    {QUICK_REACTIONS.map((emoji, i) => (
                      <button type="button" key={emoji} class="small" aria-label={`React with ${emoji}`}
                        autoFocus={i === 0} onClick={() => void react(m, emoji)}>{emoji}</button>
                    ))}
                  </span>
                )}
              </div>}
            </li>
          )}>
        {hasOlder && (
          <div class="older"><button type="button" onClick={loadOlder}>Load older messages</button></div>
        )}
        {loaded && messages.length === 0 && <p class="hint">No messages yet. Say hello!</p>}
      </MessageList>
      <div class="typing" aria-live="polite">{typingText(typingNames)}</div>
      <BotActivity api={api} bus={bus} channel={channel} />
      {error && <p class="error" role="alert">{error}</p>}
      {replyTo && (
        <div class="replying" role="status">
          <span>Replying to <span class="sender">{nameFor(replyTo)}</span>: {snippet(replyTo.text)}</span>
          <button type="button" class="small" onClick={() => setReplyTo(null)}>Cancel reply</button>
        </div>
      )}
      {picker.view}
      <form class="composer" onSubmit={(e) => { e.preventDefault(); void send(); }}>
        <label class="visually-hidden" for="composer-input">Message #{channel.name}</label>
        <textarea id="composer-input" ref={composerRef} rows={1} maxLength={4000} placeholder={`Message #${channel.name}`}
          value={draft} onInput={(e) => onInput(e.currentTarget.value)} {...picker.inputProps}
          onKeyDown={(e) => {
            if (picker.onKeyDown(e)) return;
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); void send(); }
            if (e.key === 'Escape' && replyTo) { e.preventDefault(); setReplyTo(null); }
          }} />
        <button type="submit" class="primary" disabled={!draft.trim()}>Send</button>
      </form>
    </section>
  );
}
