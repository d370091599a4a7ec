/**
 * The few Cloudflare Workers runtime types the edge uses (the full @cloudflare/workers-types is
 * not a dependency). They match the runtime's shapes; Miniflare provides the same objects.
 */
export interface KVNamespace {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>;
}

/** The request's execution context (waitUntil); Hono's type matches the runtime's. */
export type { ExecutionContext } from 'hono';

export interface ScheduledController {
  readonly cron: string;
  readonly scheduledTime: number;
}

/** A service binding such as the static-assets binding. */
export interface Fetcher {
  fetch(input: Request | string, init?: RequestInit): Promise<Response>;
}
