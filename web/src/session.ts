// The session token lives in this page's memory and in localStorage (so a reload stays signed
// in). It is sent only as `Authorization: Bearer`, never as a cookie (docs/web-client.md).
export interface Session {
  token: string;
  userId: string;
  username: string;
  displayName: string;
}

const KEY = 'argon.session';

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw);
    return s && typeof s.token === 'string' && typeof s.userId === 'string' ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null) {
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
  } catch {
    /* private mode: memory only */
  }
}
