/**
 * npm run bench:llm — what the language-model path costs govchat itself (not the model):
 *   the grounding check of a complete reply; the check and cleaning of a reply streamed in
 *   3-character pieces (a partial check per piece); and over POST /api/chat with a scripted
 *   OpenAI-compatible server writing a piece every 10 ms, the time to the first delta and to done.
 * Prints medians with the 10th–90th percentile spread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loadKnowledgeBase } from '../../src/kb/load.js';
import { checkReply } from '../../src/llm/check.js';
import { ReplyCleaner } from '../../src/llm/clean.js';
import { guideSections } from '../../src/llm/sections.js';
import { silentLogger } from '../../src/platform/logger.js';
import { Library } from '../../src/search/library.js';
import { createServices } from '../../src/services.js';
import { FakeOpenAI } from '../support/openai-server.js';

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(3)} ms (p10 ${q(0.1).toFixed(3)}, p90 ${q(0.9).toFixed(3)}, n=${s.length})`;
}
function time(n: number, f: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    out.push(performance.now() - t);
  }
  return out;
}

const kb = loadKnowledgeBase(['knowledge']);
const guide = kb.byId.get('id-card-renewal')!;
const sections = new Map(guideSections(guide).map((s) => [s.id, s]));
const REPLY = (
  '您好！身份证有效期满换领，工本费是20元[id-card-renewal#fee]；证件损坏换领是40元[id-card-renewal#fee]。' +
  '户籍地换领一般15个工作日办好，跨省异地换领30个工作日[id-card-renewal#time]。' +
  '法定时限是自受理之日起60日内发放[id-card-renewal#time]。' +
  '七十周岁以上老年人、孕妇和残疾人到窗口办理走绿色通道[id-card-renewal#special]。\n'
).repeat(3);

console.log(`reply of ${[...REPLY].length} characters, guide of ${sections.size} sections\n`);
console.log(`check of a complete reply:            ${stats(time(300, () => checkReply(REPLY, sections)))}`);
console.log(
  `streamed in 3-char pieces (check+clean): ${stats(
    time(50, () => {
      const c = new ReplyCleaner();
      let raw = '';
      const chars = [...REPLY];
      for (let i = 0; i < chars.length; i += 3) {
        raw += chars.slice(i, i + 3).join('');
        checkReply(raw, sections, { partial: true });
        c.push(chars.slice(i, i + 3).join(''));
      }
      checkReply(raw, sections);
    }),
  )}`,
);

const fake = await FakeOpenAI.start();
fake.script((r) => (r.task === 'answer' ? { text: REPLY, piece: 3, delayMs: 10 } : { status: 500 }));
const dir = mkdtempSync(join(tmpdir(), 'govchat-bench-'));
const library = await Library.open({ roots: ['knowledge'] });
const services = await createServices(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dir, LLM_BASE_URL: fake.url }), silentLogger, { library, sqlitePath: join(dir, 'b.sqlite') });
const app = createApp(services);
const first: number[] = [];
const total: number[] = [];
for (let i = 0; i < 15; i++) {
  const t = performance.now();
  const res = await app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ message: '换身份证要多少钱' }) });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let gotFirst = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    if (!gotFirst && buf.includes('event: delta')) {
      first.push(performance.now() - t);
      gotFirst = true;
    }
  }
  total.push(performance.now() - t);
  if (!buf.includes('event: done') || buf.includes('event: replace')) throw new Error('the scripted reply should pass its check');
}
// The scripted server alone, read directly: what the model's side takes, so the rest is govchat's.
const direct: number[] = [];
for (let i = 0; i < 15; i++) {
  const t = performance.now();
  const res = await fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'system', content: 'x' }] }) });
  await res.text();
  direct.push(performance.now() - t);
}
const pieces = Math.ceil([...REPLY].length / 3);
console.log(`\nPOST /api/chat (SSE), model writing ${pieces} pieces at 10 ms each (≥ ${pieces * 10} ms of model time):`);
console.log(`  first delta:  ${stats(first)}`);
console.log(`  done:         ${stats(total)}`);
console.log(`  the scripted server alone, read directly: ${stats(direct)}`);
await services.close();
await fake.close();
rmSync(dir, { recursive: true, force: true });
