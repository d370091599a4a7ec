import { describe, expect, it } from 'vitest';
import { ApiError, readChatStream } from './api.js';

/** A streamed response delivered in the given pieces, as a network would. */
function streamed(pieces: string[]): Response {
  const enc = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of pieces) c.enqueue(enc.encode(p));
        c.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const reply = { sessionId: 's1', messageId: 'm1', type: 'answer', text: '检查过的答案', citations: [], suggestions: [], form: null, handoff: null };

describe('readChatStream (POST /api/chat as server-sent events)', () => {
  it('passes meta and each delta as it comes, and resolves with the done reply', async () => {
    const seen: string[] = [];
    const body = sse('meta', { sessionId: 's1', messageId: 'm1', type: 'answer' }) + sse('delta', { text: '检查' }) + sse('delta', { text: '过的答案', provisional: false }) + sse('done', reply);
    // Split inside multi-byte characters and inside event lines.
    const bytes = [body.slice(0, 5), body.slice(5, 41), body.slice(41, 77), body.slice(77)];
    const r = await readChatStream(streamed(bytes), {
      meta: (m) => seen.push(`meta:${m.sessionId}`),
      delta: (d) => seen.push(`delta:${d.text}:${d.provisional}`),
      replace: (x) => seen.push(`replace:${x.text}`),
    });
    expect(seen).toEqual(['meta:s1', 'delta:检查:false', 'delta:过的答案:false']);
    expect(r).toEqual(reply);
  });

  it('decodes UTF-8 split across network chunks', async () => {
    const bytes = new TextEncoder().encode(sse('delta', { text: '身份证' }) + sse('done', reply));
    const res = new Response(
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 5) c.enqueue(bytes.slice(i, i + 5));
          c.close();
        },
      }),
    );
    const texts: string[] = [];
    await readChatStream(res, { delta: (d) => texts.push(d.text) });
    expect(texts).toEqual(['身份证']);
  });

  it('hands on provisional pieces and a replace event (a language model’s words withdrawn)', async () => {
    const seen: string[] = [];
    await readChatStream(
      streamed([sse('meta', { sessionId: 's1', type: 'answer' }), sse('delta', { text: '未经', provisional: true }), sse('replace', { text: '检查过的答案', reason: 'check_failed' }), sse('done', reply)]),
      { delta: (d) => seen.push(`${d.text}:${d.provisional}`), replace: (x) => seen.push(`replace:${x.text}:${x.reason}`) },
    );
    expect(seen).toEqual(['未经:true', 'replace:检查过的答案:check_failed']);
  });

  it('rejects with the server’s message on an error event, and as interrupted when done never comes', async () => {
    const err = await readChatStream(streamed([sse('error', { error: { code: 'internal', message: '服务暂时出现问题，请稍后再试' } })]), {}).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('服务暂时出现问题，请稍后再试');
    const cut = await readChatStream(streamed([sse('meta', { sessionId: 's1' }), sse('delta', { text: '半' })]), {}).catch((e) => e);
    expect(cut).toMatchObject({ status: 0, code: 'interrupted' });
  });
});
