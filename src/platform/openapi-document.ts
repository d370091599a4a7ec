/**
 * The OpenAPI document as served: the routes' own description plus the refusals the shared
 * middleware can give on every /api/* route (413 body over the limit, 429 rate limit with
 * Retry-After, 503 database unavailable), so a client generated from the document knows them.
 */
type Operation = { responses?: Record<string, unknown> };

const ERROR = { $ref: '#/components/schemas/Error' };
const COMMON: Record<string, string> = {
  '413': 'Request body over MAX_BODY_BYTES',
  '429': 'Too many requests from this address (or messages in this session); Retry-After says when to retry',
  '503': 'A backend (the database) is unavailable; retry later',
};

export function withCommonErrors<T extends { paths?: object }>(doc: T): T {
  for (const [path, ops] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, value] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method) || !value || typeof value !== 'object') continue;
      const op = value as Operation;
      op.responses ??= {};
      for (const [status, description] of Object.entries(COMMON)) {
        op.responses[status] ??= {
          description,
          ...(status === '429' ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } } : {}),
          content: { 'application/json': { schema: ERROR } },
        };
      }
    }
  }
  return doc;
}
