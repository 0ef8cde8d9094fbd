// The developer console at /developers: the person's bot applications (docs/client-api.md "Developer
// console"): create one (its token shown once), rotate the token (confirmed; the new one shown once),
// install into / uninstall from the person's spaces where they may (owner, ManageBots, ManageServer),
// and the commands the bot registered there. Below, the operator's section: with the operator token
// (kept in sessionStorage only) it lists every app (GET /api/v1/admin/apps) and verifies them.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import type { Navigate } from './app';
import { Modal } from './dialog';
import { MANAGE_BOTS } from './entitlements';
import { routePath } from './routes';
import type { Session } from './session';
import { SpaceDetail, allowed } from './shell';

interface App { appId: string; name: string; botUserId: string; botUsername: string; isVerified: boolean; ownerId?: string }
interface Command { commandId: string; appId: string; name: string; description: string; spaceId: string | null }

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : 'Something went wrong.');

export function Console({ api, session, navigate }: { api: Api; session: Session; navigate: Navigate }) {
  const [apps, setApps] = useState<App[] | null>(null);
  const [spaces, setSpaces] = useState<SpaceDetail[]>([]);
  const [error, setError] = useState('');
  const [token, setToken] = useState<{ app: string; token: string; rotated: boolean } | null>(null);
  const [rotate, setRotate] = useState<App | null>(null);

  const loadApps = useCallback(async () => {
    try {
      setApps((await api.get<{ apps: App[] }>('/api/v1/apps')).apps);
    } catch (err) { setError(errorText(err)); }
  }, [api]);
  // The spaces where the person may install bots, with their members (is the bot in?).
  const loadSpaces = useCallback(async () => {
    try {
      const list = (await api.get<{ spaces: { spaceId: string }[] }>('/api/v1/spaces')).spaces;
      const details = await Promise.all(list.map((s) => api.get<SpaceDetail>(`/api/v1/spaces/${enc(s.spaceId)}`)));
      setSpaces(details.filter((d) => allowed(d, session.userId, MANAGE_BOTS)));
    } catch (err) { setError(errorText(err)); }
  }, [api, session.userId]);
  useEffect(() => { void loadApps(); void loadSpaces(); }, [loadApps, loadSpaces]);

  return (
    <div class="console">
      <header class="topbar">
        <span class="brand">argon</span>
        <span class="console-title">Developer console</span>
        <a href={routePath({ kind: 'home' })} onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          navigate({ kind: 'home' });
        }}>Back to chat</a>
      </header>
      <main class="console-main">
        {error && <p class="error" role="alert">{error}</p>}
        <section aria-labelledby="apps-heading">
          <h1 id="apps-heading">Your applications</h1>
          {apps === null ? <p>Loading…</p> : apps.length === 0
            ? <p class="hint">No applications yet: create one below.</p>
            : (
              <ul class="app-list" role="list" aria-label="Your applications">
                {apps.map((a) => (
                  <AppCard key={a.appId} api={api} app={a} spaces={spaces} onRotate={() => setRotate(a)}
                    onInstalled={loadSpaces} />
                ))}
              </ul>
            )}
        </section>
        <CreateAppForm api={api} onCreated={(app, t) => {
          setToken({ app, token: t, rotated: false });
          void loadApps();
        }} />
        <OperatorSection onChanged={loadApps} />
      </main>
      {rotate && (
        <RotateDialog api={api} app={rotate} onClose={() => setRotate(null)} onRotated={(t) => {
          setRotate(null);
          setToken({ app: rotate.name, token: t, rotated: true });
        }} />
      )}
      {token && <TokenDialog {...token} onClose={() => setToken(null)} />}
    </div>
  );
}

function AppCard({ api, app, spaces, onRotate, onInstalled }: {
  api: Api; app: App; spaces: SpaceDetail[]; onRotate: () => void; onInstalled: () => Promise<void>;
}) {
  const [spaceId, setSpaceId] = useState('');
  const [commands, setCommands] = useState<Command[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const space = spaces.find((s) => s.spaceId === spaceId) ?? spaces[0];
  const installed = !!space?.members.some((m) => m.userId === app.botUserId);

  const loadCommands = useCallback(async () => {
    if (!space || !installed) { setCommands(null); return; }
    try {
      const all = (await api.get<{ commands: Command[] }>(`/api/v1/spaces/${enc(space.spaceId)}/commands`)).commands;
      setCommands(all.filter((c) => c.appId === app.appId));
    } catch (err) { setError(errorText(err)); }
  }, [api, space?.spaceId, installed, app.appId]);
  useEffect(() => { void loadCommands(); }, [loadCommands]);

  const install = async (on: boolean) => {
    if (!space) return;
    setBusy(true);
    setError('');
    try {
      if (on) await api.post(`/api/v1/spaces/${enc(space.spaceId)}/bots`, { appId: app.appId });
      else await api.del(`/api/v1/spaces/${enc(space.spaceId)}/bots/${enc(app.appId)}`);
      await onInstalled();
    } catch (err) { setError(errorText(err)); }
    setBusy(false);
  };

  const headingId = `app-${app.appId}`;
  return (
    <li class="app-card" aria-labelledby={headingId} data-app-id={app.appId}>
      <div class="app-head">
        <h2 id={headingId}>{app.name}</h2>
        <span class="hint">@{app.botUsername}</span>
        {app.isVerified ? <span class="badge verified">Verified</span> : <span class="badge">Not verified</span>}
        <button type="button" class="small" onClick={onRotate}>Rotate token</button>
      </div>
      {spaces.length === 0
        ? <p class="hint">To install the bot, you need a space where you may manage bots.</p>
        : (
          <div class="install">
            <label class="inline">Space
              <select name="installSpace" value={space?.spaceId} onChange={(e) => setSpaceId(e.currentTarget.value)}>
                {spaces.map((s) => <option key={s.spaceId} value={s.spaceId}>{s.name}</option>)}
              </select>
            </label>
            <span class="install-state">{installed ? 'Installed' : 'Not installed'}</span>
            {installed
              ? <button type="button" disabled={busy} onClick={() => void install(false)}>Uninstall</button>
              : <button type="button" class="primary" disabled={busy} onClick={() => void install(true)}>Install</button>}
          </div>
        )}
      {installed && (
        <div class="app-commands">
          <h3>Commands in {space!.name}</h3>
          {commands && commands.length > 0
            ? (
              <ul class="command-list" role="list" aria-label={`Commands of ${app.name}`}>
                {commands.map((c) => (
                  <li key={c.commandId}><code>/{c.name}</code> <span class="hint">{c.description}</span>
                    {c.spaceId === null && <span class="badge">global</span>}</li>
                ))}
              </ul>
            )
            : <p class="hint">{commands ? 'The bot has registered no commands here.' : 'Loading…'}</p>}
          <button type="button" class="small" onClick={() => void loadCommands()}>Refresh commands</button>
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </li>
  );
}

function CreateAppForm({ api, onCreated }: { api: Api; onCreated: (name: string, token: string) => void }) {
  const [name, setName] = useState('');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<{ field: 'name' | 'botUsername' | 'displayName' | ''; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { name: name.trim(), botUsername: username.trim() };
      if (displayName.trim()) body.displayName = displayName.trim();
      const r = await api.post<{ token: string }>('/api/v1/apps', body);
      onCreated(body.name, r.token);
      setName(''); setUsername(''); setDisplayName('');
    } catch (err) {
      const message = errorText(err);
      const code = err instanceof ApiError ? err.code : '';
      const field = code === 'invalid_username' || code === 'username_taken' ? 'botUsername'
        : code === 'validation_error' ? (/displayName/.test(message) ? 'displayName' : 'name') : '';
      setError({
        field,
        message: code === 'username_taken' ? `${message} Choose another bot username.` : message,
      });
    }
    setBusy(false);
  };
  const at = (field: string) => error?.field === field
    ? { 'aria-invalid': 'true' as const, 'aria-describedby': `create-app-${field}-error` } : {};
  const fieldError = (field: string) => error?.field === field &&
    <p class="error field-error" role="alert" id={`create-app-${field}-error`}>{error.message}</p>;
  return (
    <section aria-labelledby="create-app-heading">
      <h1 id="create-app-heading">Create an application</h1>
      <form class="create-app" onSubmit={submit} aria-label="Create an application">
        <label>Application name
          <input name="appName" required maxLength={100} value={name} {...at('name')}
            onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        {fieldError('name')}
        <label>Bot username
          <input name="botUsername" required maxLength={32} value={username} autoCapitalize="none" spellcheck={false}
            aria-describedby={error?.field === 'botUsername' ? 'create-app-botUsername-error bot-username-rules' : 'bot-username-rules'}
            aria-invalid={error?.field === 'botUsername' ? 'true' : undefined}
            onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <p class="hint" id="bot-username-rules">2 to 32 characters of a–z, 0–9, _ and ., ending in <code>_bot</code> (for
          example <code>music_bot</code>); capitals become lower case.</p>
        {fieldError('botUsername')}
        <label>Display name <span class="hint">(optional, 1 to 64 characters)</span>
          <input name="botDisplayName" maxLength={64} value={displayName} {...at('displayName')}
            onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        {fieldError('displayName')}
        {error?.field === '' && <p class="error" role="alert">{error.message}</p>}
        <button type="submit" class="primary" disabled={busy || !name.trim() || !username.trim()}>Create application</button>
      </form>
    </section>
  );
}

function TokenDialog({ app, token, rotated, onClose }: { app: string; token: string; rotated: boolean; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try { await navigator.clipboard.writeText(token); setCopied(true); } catch { setCopied(false); }
  };
  return (
    <Modal title={rotated ? `New token of ${app}` : `Token of ${app}`} onClose={onClose}>
      <p class="warning" role="note"><strong>Shown once.</strong> Copy the token now and keep it secret: anyone
        who has it can act as your bot. It is not stored readably anywhere; if you lose it, rotate it.
        {rotated && ' The old token has stopped working.'}</p>
      <label>Bot token
        <input name="botToken" readOnly value={token} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="actions">
        <button type="button" class="primary" onClick={copy}>{copied ? 'Copied' : 'Copy token'}</button>
        <button type="button" onClick={onClose}>Done</button>
      </div>
    </Modal>
  );
}

function RotateDialog({ api, app, onClose, onRotated }: {
  api: Api; app: App; onClose: () => void; onRotated: (token: string) => void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      onRotated((await api.post<{ token: string }>(`/api/v1/apps/${enc(app.appId)}/token`)).token);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={`Rotate the token of ${app.name}?`} onClose={onClose}>
      <p>The current token stops working at once: the bot must be given the new one.</p>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={go}>Rotate token</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </Modal>
  );
}

// The operator token is kept for this tab only (sessionStorage), never in localStorage.
const OPERATOR_KEY = 'argon.operatorToken';
function storedOperatorToken(): string {
  try { return sessionStorage.getItem(OPERATOR_KEY) ?? ''; } catch { return ''; }
}

function OperatorSection({ onChanged }: { onChanged: () => Promise<void> }) {
  const [token, setToken] = useState(storedOperatorToken);
  const [input, setInput] = useState('');
  const [apps, setApps] = useState<App[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const forget = () => {
    try { sessionStorage.removeItem(OPERATOR_KEY); } catch { /* memory only */ }
    setToken('');
    setApps(null);
  };
  const load = useCallback(async (t: string) => {
    try {
      const r = await new Api(t).get<{ apps: App[] }>('/api/v1/admin/apps');
      try { sessionStorage.setItem(OPERATOR_KEY, t); } catch { /* memory only */ }
      setToken(t);
      setApps(r.apps);
      setError('');
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) {
        forget();
        setError(err.status === 401 ? 'The server did not accept this operator token.'
          : 'This server has no operator token configured.');
      } else setError(errorText(err));
    }
  }, []);
  useEffect(() => { if (token) void load(token); }, []);

  const setVerified = async (app: App, on: boolean) => {
    setBusy(true);
    try {
      await new Api(token).post(`/api/v1/admin/bots/${enc(app.appId)}/${on ? 'verify' : 'unverify'}`);
      await load(token);
      await onChanged();
    } catch (err) { setError(errorText(err)); }
    setBusy(false);
  };

  return (
    <section aria-labelledby="operator-heading" class="operator">
      <h1 id="operator-heading">Operator</h1>
      {!apps ? (
        <form aria-label="Operator sign-in" onSubmit={(e) => { e.preventDefault(); void load(input.trim()); setInput(''); }}>
          <p class="hint">The server's operator verifies bots. The operator token (config <code>admin.token</code>)
            is kept in this tab only, until it is closed.</p>
          <label>Operator token
            <input name="operatorToken" type="password" autoComplete="off" required value={input}
              onInput={(e) => setInput(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={!input.trim()}>Open the operator view</button>
        </form>
      ) : (
        <>
          <ul class="app-list" role="list" aria-label="All bot applications">
            {apps.map((a) => (
              <li key={a.appId} class="operator-app" data-app-id={a.appId}>
                <span class="name">{a.name}</span> <span class="hint">@{a.botUsername}</span>{' '}
                {a.isVerified ? <span class="badge verified">Verified</span> : <span class="badge">Not verified</span>}
                <button type="button" class="small" disabled={busy} aria-label={`${a.isVerified ? 'Unverify' : 'Verify'} ${a.botUsername}`}
                  onClick={() => void setVerified(a, !a.isVerified)}>{a.isVerified ? 'Unverify' : 'Verify'}</button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={forget}>Forget the operator token</button>
        </>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}
