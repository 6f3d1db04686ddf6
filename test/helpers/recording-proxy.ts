import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedCall {
  method: string;
  path: string;
  requestBody: string;
  /** The upstream's status; 0 when the upstream did not answer. */
  status: number;
  /** True when the client was gone before the answer could be handed over. */
  clientGone: boolean;
}

export interface RecordingProxy {
  url: string;
  calls: ProxiedCall[];
  /** Runs after the upstream answered and before the answer goes back to the client (e.g. to kill the client). */
  beforeReply: ((call: ProxiedCall) => Promise<void> | void) | undefined;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a simulator that keeps every request body and the upstream's status,
 * so a test can count what actually reached the provider even when the caller died mid-call.
 */
export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const proxy: RecordingProxy = {
    url: '',
    calls: [],
    beforeReply: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) clientGone = true;
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call: ProxiedCall = { method: req.method ?? 'GET', path: req.url ?? '/', requestBody: body.toString('utf8'), status: 0, clientGone: false };
      proxy.calls.push(call);
      const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
      const up = httpRequest({ host: target.hostname, port: target.port, method: call.method, path: call.path, headers }, (upRes) => {
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => parts.push(c));
        upRes.on('end', () => {
          call.status = upRes.statusCode ?? 0;
          void Promise.resolve(proxy.beforeReply?.(call))
            .catch(() => undefined)
            .then(() => {
              call.clientGone = clientGone;
              if (clientGone || res.destroyed) return;
              const out = { ...upRes.headers };
              delete out['transfer-encoding'];
              res.writeHead(call.status, out);
              res.end(Buffer.concat(parts));
            });
        });
        upRes.on('error', () => res.destroy());
      });
      up.on('error', () => {
        call.clientGone = clientGone;
        res.destroy();
      });
      up.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
