// A webhook receiver on loopback for notification tests: records every request (path, headers,
// parsed JSON body) and answers each path from a script of statuses (the last one repeats).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  /** The path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The status this request was answered with. */
  status: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  base: string;
  requests: ReceivedRequest[];
  /** Requests to `path` answered 2xx. */
  delivered(path: string): ReceivedRequest[];
  /** Sets the statuses `path` answers, in order; the last repeats (default: 200). */
  script(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const path = url.split('?')[0]!;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        body = { raw: Buffer.concat(chunks).toString('utf8') };
      }
      const script = scripts.get(path) ?? [200];
      const status = script.length > 1 ? script.shift()! : script[0]!;
      requests.push({ path, url, headers: req.headers, body, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status < 300 ? '{"ok":true}' : '{"ok":false}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    delivered: (path) => requests.filter((r) => r.path === path && r.status < 300),
    script: (path, statuses) => void scripts.set(path, [...statuses]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
