/**
 * The eval through the edge: the worker built from the served knowledge base runs in workerd
 * (Miniflare) in front of the Node origin, and the same harness asks it the same questions over
 * HTTP. Retrieval figures read the evidence the edge records at the origin, as on Node.
 */
import type { Reply } from '../../src/dialogue/reply.js';
import { sharedLibrary } from '../support/library.js';
import { EDGE_TOKEN, buildTestWorker, edgeChat, eventually, startOrigin, startWorker, wranglerSettings } from '../support/edge.js';
import { runQuestions, type Metrics, type Question } from './harness.js';

export async function measureEdge(questions: Question[]): Promise<Metrics> {
  const library = await sharedLibrary();
  const [built, settings, origin] = await Promise.all([buildTestWorker(library), wranglerSettings(), startOrigin()]);
  // Every eval turn comes from one address: the edge's per-address and per-session limits are raised, as in the integration test.
  const mf = await startWorker(built, settings, { ORIGIN_URL: origin.url, EDGE_INGEST_TOKEN: EDGE_TOKEN, RATE_LIMIT_IP_PER_MIN: '100000', RATE_LIMIT_SESSION_PER_MIN: '100000' });
  try {
    await edgeChat(mf, { message: '你好' }); // the isolate's first request loads the index: not a citizen's wait
    const last = new Map<string, string>();
    const records = origin.test.services.records;
    return await runQuestions(
      {
        engine: {
          handle: async (input) => {
            const res = await edgeChat(mf, { message: input.message, sessionId: input.sessionId, channel: input.channel });
            if (res.status !== 200) throw new Error(`edge answered ${res.status}: ${await res.text()}`);
            const reply = (await res.json()) as Reply;
            last.set(reply.sessionId, reply.messageId);
            return reply;
          },
        },
        records: {
          // The edge sends the turn's record in the background: wait until the origin has it.
          conversationBySession: (sessionId) =>
            eventually(async () => {
              const conv = await records.conversationBySession(sessionId);
              const msgs = conv ? await records.listMessages(conv.id) : [];
              return msgs.at(-1)?.id === last.get(sessionId) ? conv : null;
            }),
          listMessages: (id, opts) => records.listMessages(id, opts),
        },
        library,
      },
      questions,
    );
  } finally {
    await mf.dispose();
    await origin.dispose();
    built.dispose();
  }
}
