/**
 * A TCP proxy in front of a real server (PostgreSQL), to take it "down" and bring it back in a
 * test without touching the shared server: stop() closes the port and cuts every connection,
 * start() listens again on the same port.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './redis.js';

export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private constructor(
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy on a free port; listening only once start() is called. */
  static async create(targetHost: string, targetPort: number): Promise<TcpProxy> {
    return new TcpProxy(await freePort(), targetHost, targetPort);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
