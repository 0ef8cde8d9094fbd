// The client API over fetch: `Authorization: Bearer <session token>` on every call (no cookies,
// hence nothing a cross-site request could ride on), JSON in and out, integers of 16+ digits
// (message ids) kept exactly as strings.

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

/** Quote every bare JSON integer of 16 or more digits (outside strings) so JSON.parse keeps it. */
export function quoteBigInts(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(text[j])) j++;
      const tok = text.slice(i, j);
      out += /^-?\d{16,}$/.test(tok) ? `"${tok}"` : tok;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

export function parseJson<T = any>(text: string): T {
  return JSON.parse(quoteBigInts(text));
}

export class Api {
  constructor(public token: string | null, private onUnauthorized: () => void = () => {}) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'network_error', 'The server cannot be reached.');
    }
    const text = await res.text();
    const data = text ? safeParse(text) : null;
    if (!res.ok) {
      if (res.status === 401 && this.token) this.onUnauthorized();
      const message = (data && typeof data.message === 'string' && data.message) || `${res.status} ${res.statusText}`;
      throw new ApiError(res.status, (data && data.error) || 'error', message);
    }
    return data as T;
  }

  get<T = any>(path: string) { return this.call<T>('GET', path); }
  post<T = any>(path: string, body?: unknown) { return this.call<T>('POST', path, body ?? {}); }
  del<T = any>(path: string) { return this.call<T>('DELETE', path); }
}

function safeParse(text: string): any {
  try { return parseJson(text); } catch { return null; }
}

export const enc = encodeURIComponent;
