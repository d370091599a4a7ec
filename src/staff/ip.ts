import type { Context } from 'hono';

/**
 * The client address of a request, for the audit log: the first X-Forwarded-For hop when the
 * server sits behind the city's reverse proxy, else the socket's address (Node server).
 */
export function clientIp(c: Context): string | null {
  const fwd = c.req.header('x-forwarded-for');
  if (fwd) return fwd.split(',')[0].trim().slice(0, 64) || null;
  const real = c.req.header('x-real-ip');
  if (real) return real.trim().slice(0, 64);
  // @hono/node-server passes the IncomingMessage as env.incoming.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}
