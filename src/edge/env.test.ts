import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { DEFAULT_ORIGIN_PATHS, matchesPrefix } from './forward.js';
import { parseEdgeEnv, type EdgeEnv } from './env.js';
import type { KVNamespace } from './workers.js';

// Only the shape is checked here; the real KV binding is exercised in workerd (test/integration/edge.test.ts).
const kv = { get: async () => null, put: async () => {}, delete: async () => {}, list: async () => ({ keys: [], list_complete: true }) } satisfies KVNamespace;

describe('edge configuration (wrangler vars and secrets)', () => {
  it('reads the origin, the token and the shared settings, with defaults', () => {
    const { config, vars } = parseEdgeEnv({ SESSIONS: kv, ORIGIN_URL: 'https://origin.example.gov.cn', EDGE_INGEST_TOKEN: 't'.repeat(16), ANSWER_MIN_SCORE: '0.6' });
    expect(vars).toMatchObject({ ORIGIN_URL: 'https://origin.example.gov.cn', ORIGIN_TIMEOUT_MS: 8000, SESSION_TTL_SECONDS: 604800, ORIGIN_PATHS: DEFAULT_ORIGIN_PATHS });
    expect(config.ANSWER_MIN_SCORE).toBe(0.6);
    expect(config.MAX_MESSAGE_CHARS).toBe(500);
  });

  it('names every problem at once and never echoes the token', () => {
    const env: EdgeEnv = { SESSIONS: undefined as unknown as KVNamespace, ORIGIN_URL: 'ftp://x', EDGE_INGEST_TOKEN: 'short-secret', ANSWER_MIN_SCORE: '2' };
    let err: unknown;
    try {
      parseEdgeEnv(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    for (const name of ['ORIGIN_URL', 'EDGE_INGEST_TOKEN', 'ANSWER_MIN_SCORE', 'SESSIONS']) expect(msg).toContain(name);
    expect(msg).not.toContain('short-secret');
  });

  it('forwards whole path segments only', () => {
    expect(matchesPrefix('/api/staff', DEFAULT_ORIGIN_PATHS)).toBe(true);
    expect(matchesPrefix('/api/staff/queue', DEFAULT_ORIGIN_PATHS)).toBe(true);
    expect(matchesPrefix('/api/staffing', DEFAULT_ORIGIN_PATHS)).toBe(false);
    expect(matchesPrefix('/api/chat', DEFAULT_ORIGIN_PATHS)).toBe(false);
    expect(matchesPrefix('/guides/id-card-renewal', DEFAULT_ORIGIN_PATHS)).toBe(false);
  });
});
