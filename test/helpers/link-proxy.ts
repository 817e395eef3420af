// A TCP proxy in front of one node that can cut the links from chosen peers, each direction on its
// own: the node is reached through its proxy, the proxy learns which node sent a connection from
// the first request's signed `X-Cocoa-Key` header, and a blocked sender's connections are held open
// and silent (a cut link times out, as a real partition does) until the link heals.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LinkProxy {
  /** http://127.0.0.1:PORT — use it as the node's NodeAddress. */
  url: string;
  /** Cuts the link from `sender` (a node code) to this proxy's node: its requests go unanswered. */
  cut(sender: string): void;
  heal(sender: string): void;
  close(): Promise<void>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export async function startLinkProxy(targetPort: number, listenPort = 0): Promise<LinkProxy> {
  const blocked = new Set<string>();
  const conns = new Map<Socket, { sender: string | null; upstream: Socket | null }>();

  const server: Server = createServer((client) => {
    const conn = { sender: null as string | null, upstream: null as Socket | null };
    conns.set(client, conn);
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      conns.delete(client);
      conn.upstream?.destroy();
    };
    client.on('close', cleanup);
    client.on('error', cleanup);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(HEADER_END);
      if (end < 0 && buffered.length < 64 * 1024) return;
      client.off('data', onData);
      const head = buffered.subarray(0, end < 0 ? buffered.length : end).toString('latin1');
      const match = /\r\nx-cocoa-key:\s*([^\r\n]*)/i.exec(head);
      conn.sender = match ? match[1]!.trim() : null;
      // A cut link: hold the connection, answer nothing (the sender times out).
      if (conn.sender !== null && blocked.has(conn.sender)) return;
      const upstream = connect(targetPort, '127.0.0.1');
      conn.upstream = upstream;
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      upstream.write(buffered);
      client.pipe(upstream);
      upstream.pipe(client);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}`,
    cut(sender) {
      blocked.add(sender);
      // Connections already open from the sender go silent too (kept-alive sockets would otherwise
      // carry on): drop the upstream side and hold the client side.
      for (const [client, conn] of conns) {
        if (conn.sender === sender && conn.upstream) {
          const upstream = conn.upstream;
          conn.upstream = null;
          client.unpipe(upstream);
          upstream.unpipe(client);
          upstream.removeAllListeners('close');
          upstream.removeAllListeners('error');
          upstream.on('error', () => undefined);
          upstream.destroy();
          client.pause();
        }
      }
    },
    heal(sender) {
      blocked.delete(sender);
      for (const [client, conn] of conns) if (conn.sender === sender) client.destroy();
    },
    async close() {
      for (const client of conns.keys()) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
