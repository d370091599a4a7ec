/** The console's one way to the server: same-origin with the session cookie, the CSRF header on every change. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // The CSRF contract: cookie-authenticated changes carry this header (403 csrf otherwise).
  if (method !== 'GET') headers['X-Requested-With'] = 'govchat';
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请稍后再试');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && !path.endsWith('/login')) onUnauthorized();
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `请求失败（${res.status}）`);
  }
  return json as T;
}

let unauthorizedHandler: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  unauthorizedHandler = fn;
}
function onUnauthorized(): void {
  unauthorizedHandler();
}

export const q = (params: Record<string, string | number | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const out = s.toString();
  return out ? `?${out}` : '';
};

export interface Me {
  id: string;
  username: string;
  displayName: string | null;
  role: 'agent' | 'admin';
  departments: string[];
}
