// A stand-in for an original Go CocoaSyncer follower, built from the v1 reference document: it reads
// only the clear `cocoaSecret` in the body, ignores every header, answers in the v1 JSON shapes, and
// keeps what a leader pushes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeV1Peer {
  url: string;
  secret: string;
  /** The `cocoaBasic` of every accepted push, as received. */
  pushes: Record<string, unknown>[];
  requests: { path: string; body: string; headers: Record<string, string | string[] | undefined> }[];
  close(): Promise<void>;
}

export async function fakeV1Follower(opts: { nodeCode: string; nodeName: string; secret: string; isps: string[] }): Promise<FakeV1Peer> {
  const pushes: Record<string, unknown>[] = [];
  const requests: FakeV1Peer['requests'] = [];
  let nodes: Record<string, unknown>[] = [];
  let url = '';
  const self = () => ({
    nodeName: opts.nodeName,
    nodeCode: opts.nodeCode,
    nodeAddress: url,
    workMode: 'follower',
    cocoaSecret: opts.secret,
    ISPs: opts.isps,
    networkType: 'IPV4',
    statusCode: 200,
    // The Go program feeds its watchdog on its own schedule; "now" is what a live one shows.
    watchDog: new Date().toISOString().replace('Z', '+00:00'),
    cocoaManagedService: [],
  });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body, headers: req.headers });
      let parsed: { cocoaSecret?: string; cocoaBasic?: { otherCocoaSyncer?: Record<string, unknown>[] } } = {};
      try {
        parsed = JSON.parse(body);
      } catch {
        /* Go's ShouldBind leaves the struct empty */
      }
      const send = (o: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(o));
      };
      const unauthorized = { statusCode: 401, statusString: 'Unauthorized! You are not Cocoa!', cocoaBasic: {} };
      if (req.url === '/v1/getClusterInfo') {
        if (parsed.cocoaSecret !== opts.secret) return send(unauthorized);
        const list = nodes.length ? nodes.map((n) => (n.nodeCode === opts.nodeCode ? self() : n)) : [self()];
        return send({ statusCode: list.length > 1 ? 200 : 201, statusString: list.length > 1 ? 'MafuMafu~' : 'Mafu?', cocoaBasic: { nodeCode: opts.nodeCode, nodeName: opts.nodeName, workMode: 'follower', otherCocoaSyncer: list } });
      }
      if (req.url === '/v1/updateClusterInfo') {
        if (parsed.cocoaSecret !== opts.secret) return send(unauthorized);
        pushes.push(parsed.cocoaBasic as Record<string, unknown>);
        nodes = parsed.cocoaBasic?.otherCocoaSyncer ?? [];
        return send({ statusCode: 200, statusString: 'MafuMafu~', cocoaBasic: {} });
      }
      res.writeHead(404);
      res.end('404 page not found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, secret: opts.secret, pushes, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
