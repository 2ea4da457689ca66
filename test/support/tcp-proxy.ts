import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test controls, in front of a real server: `cut()` drops every connection and
 * refuses new ones (the server looks stopped), `restore()` lets them through again.
 */
export class TcpProxy {
  readonly port: number;
  private readonly target: { host: string; port: number };
  private server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(server: Server, port: number, target: { host: string; port: number }) {
    this.server = server;
    this.port = port;
    this.target = target;
  }

  static async open(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(createServer(), 0, target);
    const port = await proxy.listen(0);
    return Object.assign(proxy, { port });
  }

  /** A URL whose host and port are the proxy's. */
  url(of: string): string {
    const u = new URL(of);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  private listen(port: number): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      const both = () => (client.destroy(), upstream.destroy());
      client.once('close', both);
      upstream.once('close', both);
    });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Resets every open connection and stops listening: connections are refused until restore(). */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.resetAndDestroy();
    await closed;
  }

  async restore(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.cut().catch(() => {});
  }
}
