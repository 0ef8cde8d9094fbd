// "Your sessions": every device and login of the person (GET /api/v1/auth/sessions), each with a
// Sign out, and "Sign out everywhere else". Ending this device's session is signing out.
import { useEffect, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { Modal } from './dialog';

interface OwnSession { sessionId: string; createdAt: string; current: boolean }

function when(iso: string) {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

export function SessionsDialog({ api, onClose, onSignOut }: {
  api: Api; onClose: () => void; onSignOut: () => void;
}) {
  const [sessions, setSessions] = useState<OwnSession[] | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      const res = await api.get<{ sessions: OwnSession[] }>('/api/v1/auth/sessions');
      setSessions(res.sessions);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }
  useEffect(() => { void load(); }, []);

  async function end(s: OwnSession) {
    if (s.current) { onSignOut(); return; }
    setBusy(true); setError(''); setNote('');
    try {
      await api.del(`/api/v1/auth/sessions/${enc(s.sessionId)}`);
      setNote(`Signed out the session from ${when(s.createdAt)}.`);
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally { setBusy(false); }
  }

  async function endOthers() {
    setBusy(true); setError(''); setNote('');
    try {
      const res = await api.del<{ revoked: number }>('/api/v1/auth/sessions');
      setNote(res.revoked === 1 ? 'Signed out 1 other session.' : `Signed out ${res.revoked} other sessions.`);
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally { setBusy(false); }
  }

  const others = (sessions ?? []).filter((s) => !s.current).length;
  return (
    <Modal title="Your sessions" onClose={onClose}>
      <p class="hint">Every device or browser where you are signed in. Signing one out ends it at
        once; anyone using it will have to sign in again.</p>
      {error && <p class="error" role="alert">{error}</p>}
      <p role="status" class="hint">{note}</p>
      {sessions === null
        ? <p>Loading…</p>
        : <ul class="list sessions" aria-label="Sessions">
          {sessions.map((s) => (
            <li key={s.sessionId} class="session-row">
              <span>
                <strong>{s.current ? 'This browser' : 'Another session'}</strong>
                <span class="hint"> · signed in {when(s.createdAt)}</span>
              </span>
              <button type="button" disabled={busy} onClick={() => void end(s)}
                aria-label={s.current ? 'Sign out this browser' : `Sign out the session from ${when(s.createdAt)}`}>
                Sign out
              </button>
            </li>
          ))}
        </ul>}
      <div class="actions">
        <button type="button" disabled={busy || others === 0} onClick={() => void endOthers()}>
          Sign out everywhere else
        </button>
        <button type="button" class="primary" onClick={onClose}>Close</button>
      </div>
    </Modal>
  );
}
