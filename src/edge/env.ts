import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DEFAULT_ORIGIN_PATHS } from './forward.js';
import type { Fetcher, KVNamespace } from './workers.js';

/** The worker's bindings (wrangler.toml): KV for sessions, static assets, and string vars/secrets. */
export interface EdgeEnv {
  SESSIONS: KVNamespace;
  ASSETS?: Fetcher;
  [name: string]: unknown;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Variables only the edge reads (wrangler.toml [vars], secrets with wrangler secret put). */
export const EdgeVarsSchema = z.object({
  ORIGIN_URL: z.string().refine((v) => {
    try {
      return /^https?:$/.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'the origin server, an http(s) URL such as https://govchat-origin.example.gov.cn'),
  EDGE_INGEST_TOKEN: z.string().min(16, 'at least 16 characters; the same value as the origin’s EDGE_INGEST_TOKEN (wrangler secret put EDGE_INGEST_TOKEN)'),
  ORIGIN_TIMEOUT_MS: int(100, 120_000).default(8000),
  ORIGIN_PATHS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .default([...DEFAULT_ORIGIN_PATHS]),
  SESSION_TTL_SECONDS: int(60, 365 * 24 * 3600).default(7 * 24 * 3600),
});
export type EdgeVars = z.output<typeof EdgeVarsSchema>;

/** The shared Config (answer threshold, limits, log level …) and the edge's own variables; every problem named. */
export function parseEdgeEnv(env: EdgeEnv): { config: Config; vars: EdgeVars } {
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string' && v !== '') strings[k] = v;
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(strings);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  const r = EdgeVarsSchema.safeParse(strings);
  if (!r.success) for (const i of r.error.issues) problems.push(`${i.path.join('.')}${i.path[0] === 'EDGE_INGEST_TOKEN' ? '' : `=${JSON.stringify(strings[String(i.path[0])] ?? '')}`}: ${i.message}`);
  if (!env.SESSIONS || typeof (env.SESSIONS as KVNamespace).get !== 'function') problems.push('SESSIONS: a Workers KV namespace binding is required (wrangler.toml [[kv_namespaces]] binding = "SESSIONS")');
  if (problems.length || !config || !r.success) throw new ConfigError(problems);
  return { config, vars: r.data };
}
