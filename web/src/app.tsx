// The app: signed out → AuthScreen; an invite address → InviteScreen; otherwise the Shell (spaces,
// channels, one channel's live messages). See docs/web-client.md.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { Console } from './console';
import { Shell } from './shell';
import { Route, parseRoute, routePath } from './routes';
import { Session, loadSession, saveSession } from './session';

export type Navigate = (route: Route, replace?: boolean) => void;

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname));

  const navigate: Navigate = useCallback((next, replace = false) => {
    const path = routePath(next);
    if (path !== location.pathname) {
      if (replace) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
    }
    setRoute(next);
  }, []);

  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  // Forgets the token here; signOut also ends the session on the server (best effort: a page
  // that is offline still forgets it).
  const forget = useCallback(() => {
    saveSession(null);
    setSession(null);
  }, []);
  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setSession(s);
  }, []);

  const api = useMemo(() => new Api(session?.token ?? null, forget), [session, forget]);
  const signOut = useCallback(() => {
    api.call('DELETE', '/api/v1/auth/session').catch(() => {});
    forget();
  }, [api, forget]);

  // A stored session may have ended (the account was disabled, the data reset): check it once.
  useEffect(() => {
    if (!session) return;
    api.get('/api/v1/me').catch(() => { /* a 401 signs out through the Api */ });
  }, [api]);

  if (!session) {
    return <AuthScreen onSignedIn={signIn} invite={route.kind === 'invite'} />;
  }
  if (route.kind === 'invite') {
    return <InviteScreen api={api} code={route.code} navigate={navigate} />;
  }
  if (route.kind === 'developers') {
    return <Console api={api} session={session} navigate={navigate} />;
  }
  return <Shell api={api} session={session} route={route} navigate={navigate} onSignOut={signOut} />;
}

function AuthScreen({ onSignedIn, invite }: { onSignedIn: (s: Session) => void; invite: boolean }) {
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const anonymous = new Api(null);
      const body: Record<string, string> = { username: username.trim(), password };
      if (mode === 'signup' && displayName.trim()) body.displayName = displayName.trim();
      const grant = await anonymous.post<{ userId: string; token: string }>(
        mode === 'signup' ? '/api/v1/auth/register' : '/api/v1/auth/login', body);
      const me = await new Api(grant.token).get<{ userId: string; username: string; displayName: string }>('/api/v1/me');
      onSignedIn({ token: grant.token, userId: me.userId, username: me.username, displayName: me.displayName });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong.');
      setBusy(false);
    }
  };

  const title = mode === 'signup' ? 'Create an account' : 'Sign in';
  return (
    <main class="auth">
      <div class="card">
        <h1 class="brand">argon</h1>
        {invite && <p class="note">Sign in or create an account to accept the invite.</p>}
        <h2>{title}</h2>
        <form onSubmit={submit} aria-label={title}>
          <label>Username
            <input name="username" autoComplete="username" required minLength={2} maxLength={32}
              autoCapitalize="none" spellcheck={false} value={username}
              onInput={(e) => setUsername(e.currentTarget.value)} />
          </label>
          {mode === 'signup' && (
            <label>Display name <span class="hint">(optional)</span>
              <input name="displayName" autoComplete="nickname" maxLength={64} value={displayName}
                onInput={(e) => setDisplayName(e.currentTarget.value)} />
            </label>
          )}
          <label>Password
            <input name="password" type="password" required minLength={mode === 'signup' ? 8 : 1}
              autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} value={password}
              onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          {error && <p class="error" role="alert">{error}</p>}
          <button type="submit" class="primary" disabled={busy}>{title}</button>
        </form>
        <p class="switch">
          {mode === 'signin' ? 'New here? ' : 'Have an account? '}
          <button type="button" class="link" onClick={() => { setMode(mode === 'signin' ? 'signup' : 'signin'); setError(''); }}>
            {mode === 'signin' ? 'Create an account' : 'Sign in'}
          </button>
        </p>
      </div>
    </main>
  );
}

function InviteScreen({ api, code, navigate }: { api: Api; code: string; navigate: Navigate }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const join = async () => {
    setBusy(true);
    setError('');
    try {
      const r = await api.post<{ spaceId: string }>(`/api/v1/invites/${enc(code)}/accept`);
      navigate({ kind: 'space', spaceId: r.spaceId }, true);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'invite_not_found'
        ? 'This invite does not exist any more, or has expired.'
        : err instanceof ApiError ? err.message : 'Something went wrong.');
      setBusy(false);
    }
  };
  return (
    <main class="auth">
      <div class="card">
        <h1 class="brand">argon</h1>
        <h2>You have been invited to a space</h2>
        <p>Join it to read and write in its channels.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="actions">
          <button type="button" class="primary" disabled={busy} onClick={join}>Join space</button>
          <button type="button" onClick={() => navigate({ kind: 'home' }, true)}>Not now</button>
        </div>
      </div>
    </main>
  );
}
