/**
 * The answer given at the edge is the origin's answer: every question of the eval set (and its
 * follow-ups, in one session) is asked of the Node engine and of the worker running in workerd,
 * and the replies must agree in type, citations (guide and section), text and suggestions.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/dialogue/reply.js';
import { readJsonl, type Question } from '../eval/harness.js';
import { sharedLibrary } from '../support/library.js';
import { EDGE_TOKEN, buildTestWorker, edgeChat, startOrigin, startWorker, wranglerSettings, type BuiltWorker, type TestOrigin } from '../support/edge.js';

const questions = readJsonl<Question>('test/eval/questions.jsonl');

let built: BuiltWorker;
let origin: TestOrigin;
let mf: Miniflare;

beforeAll(async () => {
  // esbuild works in its own process while wrangler.toml is read here.
  const [b, settings, o] = await Promise.all([sharedLibrary().then(buildTestWorker), wranglerSettings(), startOrigin()]);
  [built, origin] = [b, o];
  mf = await startWorker(built, settings, { ORIGIN_URL: origin.url, EDGE_INGEST_TOKEN: EDGE_TOKEN, RATE_LIMIT_IP_PER_MIN: '100000', RATE_LIMIT_SESSION_PER_MIN: '100000' });
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await origin?.dispose();
  built?.dispose();
});

const shape = (r: Reply) => ({
  type: r.type,
  citations: r.citations.map((c) => `${c.guideId}#${c.section ?? ''}`),
  text: r.text,
  suggestions: r.suggestions,
  intent: r.intent.name,
});

describe('edge answers = origin answers (eval questions, workerd vs Node)', () => {
  it('gives the same reply to every eval question and follow-up', { timeout: 120_000 }, async () => {
    const differences: string[] = [];
    let turns = 0;
    // A few conversations at a time (each one's turns in order): Node and workerd work side by side.
    const queue = [...questions];
    const conversation = async (q: Question) => {
      let nodeSession: string | null = null;
      let edgeSession: string | null = null;
      for (const message of [q.q, ...(q.then ?? []).map((f) => f.q)]) {
        const [node, res] = (await Promise.all([
          origin.test.services.engine.handle({ sessionId: nodeSession, message, channel: 'web' }),
          edgeChat(mf, { message, sessionId: edgeSession, channel: 'web' }),
        ])) as [Reply, Awaited<ReturnType<typeof edgeChat>>];
        expect(res.status).toBe(200);
        const edge = (await res.json()) as Reply;
        nodeSession = node.sessionId;
        edgeSession = edge.sessionId;
        turns++;
        const a = shape(node);
        const b = shape(edge);
        if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${q.id} "${message}": origin ${a.type} ${a.citations.join(',')} / edge ${b.type} ${b.citations.join(',')}`);
      }
    };
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let q = queue.shift(); q; q = queue.shift()) await conversation(q);
      }),
    );
    console.log(`edge vs origin: ${turns - differences.length}/${turns} replies identical`);
    expect(turns).toBeGreaterThan(400);
    expect(differences).toEqual([]);
  });
});
