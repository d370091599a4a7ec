import { SseParser } from './sse.js';
import type { ErrorBody, FormView, HandoffView, Reply, SessionMessage } from './types.js';

/** An error the server answered with ({ error: { code, message } }), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a streamed reply delivers, in order (see POST /api/chat in openapi.json). */
export interface ChatStreamHandlers {
  meta?(m: { sessionId: string; messageId?: string; type: string }): void;
  /** `provisional`: a language model's unchecked words, which a later `replace` may withdraw. */
  delta?(d: { text: string; provisional: boolean }): void;
  replace?(r: { text: string; reason?: string }): void;
}

export interface DraftDetail extends FormView {
  guideId?: string | null;
}

export interface RatingResult {
  ratingId: string;
  level: number;
  levelName: string;
  replaced: boolean;
  editableUntil?: string;
  followup: { id: string; status: string; dueAt: string } | null;
}

/**
 * The widget's only way out: every request goes to the origin the script was loaded from. No
 * cookies are sent (credentials: 'omit'); the session id travels as the bearer secret in the
 * body or the X-Session-Id header.
 */
export class Api {
  constructor(readonly origin: string) {}

  url(path: string): string {
    return this.origin + path;
  }

  private async request<T>(method: string, path: string, opts: { session?: string | null; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.session) headers['x-session-id'] = opts.session;
    let res: Response;
    try {
      res = await fetch(this.url(path), { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), credentials: 'omit', mode: 'cors' });
    } catch {
      throw new ApiError(0, 'network', 'network');
    }
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }

  /** POST /api/chat as server-sent events; resolves with the whole reply (`done`). */
  async chat(body: { message: string; sessionId?: string | null }, on: ChatStreamHandlers = {}): Promise<Reply> {
    let res: Response;
    try {
      res = await fetch(this.url('/api/chat'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: body.message, channel: 'web', ...(body.sessionId ? { sessionId: body.sessionId } : {}) }),
        credentials: 'omit',
        mode: 'cors',
      });
    } catch {
      throw new ApiError(0, 'network', 'network');
    }
    if (!res.ok) throw await errorOf(res);
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return (await res.json()) as Reply;
    return readChatStream(res, on);
  }

  messages(session: string, after?: string): Promise<{ items: SessionMessage[]; handoff: HandoffView | null }> {
    const q = after ? `?after=${encodeURIComponent(after)}` : '';
    return this.request('GET', `/api/sessions/${encodeURIComponent(session)}/messages${q}`, { session });
  }

  /** The events stream URL; the session id is in the path because EventSource cannot send headers. */
  eventsUrl(session: string, after?: string | null): string {
    return this.url(`/api/sessions/${encodeURIComponent(session)}/events${after ? `?after=${encodeURIComponent(after)}` : ''}`);
  }

  cancelHandoff(session: string): Promise<{ text: string; handoff: HandoffView | null }> {
    return this.request('POST', `/api/sessions/${encodeURIComponent(session)}/handoff/cancel`, { session });
  }

  draft(session: string, draftId: string): Promise<DraftDetail> {
    return this.request('GET', `/api/forms/${encodeURIComponent(draftId)}`, { session });
  }

  patchDraft(session: string, draftId: string, fields: Record<string, string | null>): Promise<DraftDetail> {
    return this.request('PATCH', `/api/forms/${encodeURIComponent(draftId)}`, { session, body: { fields } });
  }

  confirmDraft(session: string, draftId: string): Promise<DraftDetail> {
    return this.request('POST', `/api/forms/${encodeURIComponent(draftId)}/confirm`, { session });
  }

  rate(session: string, body: { level: number; comment?: string; messageId?: string }): Promise<RatingResult> {
    return this.request('POST', '/api/ratings', { session, body: { sessionId: session, ...body } });
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as ErrorBody;
    if (body?.error?.message) return new ApiError(res.status, body.error.code, body.error.message, body.error.details);
  } catch {
    /* not JSON: fall through */
  }
  return new ApiError(res.status, 'http_error', `HTTP ${res.status}`);
}

/** Reads a chat event stream to its `done` event, calling the handlers as pieces arrive. */
export async function readChatStream(res: Response, on: ChatStreamHandlers): Promise<Reply> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  let reply: Reply | null = null;
  const handle = (event: string, data: string) => {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return;
    }
    const v = value as Record<string, unknown>;
    if (event === 'meta') on.meta?.(v as never);
    else if (event === 'delta' && typeof v.text === 'string') on.delta?.({ text: v.text, provisional: v.provisional === true });
    else if (event === 'replace' && typeof v.text === 'string') on.replace?.({ text: v.text, reason: v.reason as string | undefined });
    else if (event === 'done') reply = v as unknown as Reply;
    else if (event === 'error') {
      const e = (v as unknown as ErrorBody).error;
      throw new ApiError(500, e?.code ?? 'internal', e?.message ?? '');
    }
  };
  if (!res.body) {
    for (const e of parser.push((await res.text()) + '\n\n')) handle(e.event, e.data);
  } else {
    const reader = res.body.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          throw new ApiError(0, 'interrupted', 'interrupted');
        }
        if (chunk.done) break;
        for (const e of parser.push(decoder.decode(chunk.value, { stream: true }))) handle(e.event, e.data);
        if (reply) break;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  if (!reply) throw new ApiError(0, 'interrupted', 'interrupted');
  return reply;
}
