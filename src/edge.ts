/**
 * Cloudflare Workers entry: the same Hono app as the Node server (createCoreApp, which createApp extends on the origin), answering from the
 * knowledge base built ahead of time (npm run edge:build → dist/edge/), with edge implementations
 * behind the same interfaces — jieba-wasm for segmentation, an exact cosine search over the
 * prebuilt vectors, sessions in Workers KV, turn records sent to the origin — and everything that
 * needs Redis or the SQL records (handoff, forms, ratings, staff, session events) forwarded to the
 * origin at ORIGIN_URL. See README "Edge deployment (Cloudflare Workers)".
 */
import bm25 from 'edge-bundle:bm25.json';
import dict from 'edge-bundle:dict.json';
import jiebaWasm from 'edge-bundle:jieba.wasm';
import kb from 'edge-bundle:kb.json';
import manifest from 'edge-bundle:manifest.json';
import vectors from 'edge-bundle:vectors.bin';
import weights from 'edge-bundle:weights.json';
import { Answerer } from './answer/answerer.js';
import { createCoreApp } from './app-core.js';
import { ConfigError } from './config.js';
import { edgeRequest } from './edge/context.js';
import { EdgeDialogue } from './edge/engine.js';
import { parseEdgeEnv, type EdgeEnv } from './edge/env.js';
import { matchesPrefix, originForwarding } from './edge/forward.js';
import { wasmJiebaSegmenter } from './edge/jieba-wasm.js';
import { KvSessionStore } from './edge/kv-sessions.js';
import { loadEdgeIndex } from './edge/load.js';
import { createEdgeLogger } from './edge/logger.js';
import { OriginClient } from './edge/origin.js';
import { EdgeRecords } from './edge/records.js';
import type { ExecutionContext, ScheduledController } from './edge/workers.js';
import type { SearchIndex } from './search/hybrid.js';
import { OpenAIEmbedder } from './search/openai-embedder.js';

interface Edge {
  app: ReturnType<typeof createCoreApp>;
  records: EdgeRecords;
  logger: ReturnType<typeof createEdgeLogger>;
  originPaths: string[];
  /** Loads the index on first use (not at start-up: jieba's dictionary takes longer than the 1 s start-up limit). */
  ensureIndex(): void;
}

let edge: Edge | null = null;

function boot(env: EdgeEnv): Edge {
  const { config, vars } = parseEdgeEnv(env);
  const logger = createEdgeLogger(config.LOG_LEVEL);
  const origin = new OriginClient({ url: vars.ORIGIN_URL, token: vars.EDGE_INGEST_TOKEN, timeoutMs: vars.ORIGIN_TIMEOUT_MS });
  let index: SearchIndex | null = null;
  const current = () => {
    if (!index) throw new Error('the edge index is not loaded');
    return index;
  };
  const answerer = new Answerer(current, { minConfidence: config.ANSWER_MIN_SCORE });
  const sessions = new KvSessionStore(env.SESSIONS, vars.SESSION_TTL_SECONDS);
  const records = new EdgeRecords(env.SESSIONS, origin, logger, vars.SESSION_TTL_SECONDS);
  const engine = new EdgeDialogue({ answerer, sessions, records, logger, origin });
  const app = createCoreApp({ config, logger, knowledge: () => current().kb, answerer, engine, forwardToOrigin: originForwarding(origin, vars.ORIGIN_PATHS) });
  return {
    app,
    records,
    logger,
    originPaths: vars.ORIGIN_PATHS,
    ensureIndex() {
      if (index) return;
      const started = performance.now();
      // Query embeddings: the embedded hashing embedder, or the endpoint the bundle was built with
      // (EMBEDDINGS_URL etc. set as vars/secrets; it must be reachable from Cloudflare).
      const url = config.EMBEDDINGS_URL;
      const embedder = url
        ? () => new OpenAIEmbedder({ baseUrl: url, model: config.EMBEDDINGS_MODEL, apiKey: config.EMBEDDINGS_API_KEY, timeoutMs: config.EMBEDDINGS_TIMEOUT_MS, retries: config.EMBEDDINGS_RETRIES })
        : undefined;
      const loaded = loadEdgeIndex({ manifest, kb, bm25, weights, dict, vectors }, (d) => wasmJiebaSegmenter(jiebaWasm, d), { embedder });
      index = loaded.index;
      logger.info({ guides: index.kb.guides.length, chunks: index.chunks.length, kbHash: loaded.manifest.index.kbHash, ms: Math.round(performance.now() - started) }, 'edge index loaded');
    },
  };
}

function start(env: EdgeEnv): Edge | Response {
  try {
    return (edge ??= boot(env));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(JSON.stringify({ level: 50, msg: 'edge misconfigured', problems: e.problems }));
    return Response.json({ error: { code: 'misconfigured', message: `edge misconfigured: ${e.problems.join('; ')}` } }, { status: 500 });
  }
}

export default {
  async fetch(request: Request, env: EdgeEnv, ctx: ExecutionContext): Promise<Response> {
    const e = start(env);
    if (e instanceof Response) return e;
    // Forwarded routes never wait for the index; everything else is answered here.
    if (!matchesPrefix(new URL(request.url).pathname, e.originPaths)) e.ensureIndex();
    return edgeRequest.run({ waitUntil: (p) => ctx.waitUntil(p), clientIp: request.headers.get('cf-connecting-ip') }, () => e.app.fetch(request, env, ctx));
  },

  /** Cron trigger: sends the turn records the origin could not take when they were made. */
  async scheduled(_controller: ScheduledController, env: EdgeEnv, ctx: ExecutionContext): Promise<void> {
    const e = start(env);
    if (e instanceof Response) return;
    ctx.waitUntil(
      e.records.drainOutbox().then((r) => {
        if (r.sent || r.left) e.logger.info(r, 'outbox drained');
      }),
    );
  },
};
