/**
 * SIGTERM during streaming, on the real server process (src/main.ts bundled as `npm start` does):
 * a chat reply being streamed when the signal comes is finished (its `done` event arrives), an
 * open event stream gets a reconnect hint (`retry:` and a `shutdown` event) and ends, new
 * connections are refused, and the process exits 0 within SHUTDOWN_TIMEOUT_MS.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultIndexDir } from '../../src/search/library.js';
import { sharedLibrary } from '../support/library.js';
import { FakeOpenAI } from '../support/openai-server.js';
import { startServer } from '../support/server-restart.js';

const outdir = join('dist', `test-shutdown-${process.pid}`);
const dataDir = mkdtempSync(join(tmpdir(), 'govchat-shutdown-'));
let llm: FakeOpenAI;

beforeAll(async () => {
  await build({ entryPoints: { main: 'src/main.ts' }, outdir, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  await sharedLibrary();
  cpSync(defaultIndexDir('data'), defaultIndexDir(dataDir), { recursive: true });
  llm = await FakeOpenAI.start();
});
afterAll(async () => {
  await llm.close();
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** Reads a response body as text until it ends, calling `onText` with everything so far. */
async function readAll(res: Response, onText: (all: string) => void = () => {}): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let all = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      all += value;
      onText(all);
    }
  } catch {
    /* the connection closed */
  }
  return all;
}

it('finishes a streamed reply, tells event streams to reconnect, and exits 0', async () => {
  // The model writes slowly (about 2.5 s for the reply), so the stream is in flight when SIGTERM comes.
  llm.script(() => ({ text: '补领居民身份证需要本人到户籍所在地派出所办理，携带户口簿。', piece: 2, delayMs: 150 }));
  const server = await startServer(outdir, { DATA_DIR: dataDir, LLM_BASE_URL: llm.url, LLM_FEATURES: 'answer', LLM_TIMEOUT_MS: '20000', SHUTDOWN_TIMEOUT_MS: '15000' });
  let exited: Promise<number | null> | null = null;
  try {
    const first = (await (await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '你好' }) })).json()) as { sessionId: string };
    const sid = first.sessionId;
    const events = await fetch(`${server.url}/api/sessions/${sid}/events`, { headers: { accept: 'text/event-stream', 'x-session-id': sid } });
    expect(events.status).toBe(200);
    let eventsReady!: () => void;
    const ready = new Promise<void>((r) => (eventsReady = r));
    const eventsText = readAll(events, (all) => all.includes('event: ready') && eventsReady());
    await ready;

    const streamed = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ sessionId: sid, message: '身份证丢了怎么补办' }),
    });
    expect(streamed.status).toBe(200);
    let signalled = false;
    const chatText = readAll(streamed, (all) => {
      // SIGTERM once the first provisional piece is out: the reply is mid-stream.
      if (!signalled && all.includes('"provisional":true')) {
        signalled = true;
        exited = server.stop();
      }
    });
    const chat = await chatText;
    expect(signalled).toBe(true);
    expect(chat).toMatch(/event: done\ndata: \{/);
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(chat)![1]) as { sessionId: string; type: string; text: string };
    expect(done.sessionId).toBe(sid);
    expect(done.text.length).toBeGreaterThan(0);

    const ev = await eventsText;
    expect(ev).toMatch(/event: shutdown\ndata: \{"reconnect":true,"retryMs":\d+\}\nretry: \d+/);

    expect(await exited).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  } finally {
    if (!exited) await server.stop();
  }
}, 60_000);
