import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * Rivet throws `ApiResponseError` with only status, code and message, so Retry-After and X-RateLimit-* are lost
 * (node_modules/@zoom/rivet/meetings/meetings.mjs, WebEndpoints.makeRequest). Rivet calls the process-wide axios
 * with fixed options, so there is no per-client hook. Node publishes every outgoing HTTP response on the
 * `http.client.response.finish` diagnostics channel; an AsyncLocalStorage slot opened around each rivet call
 * tells which response belongs to which call, even when calls run concurrently. Observing only: nothing about
 * the request or the response is changed.
 */
export interface CapturedResponse {
  status?: number;
  headers?: IncomingHttpHeaders;
  /** The bearer token the request carried, so a 401 can invalidate exactly that token. */
  bearerToken?: string;
}

export interface ResponseCapture {
  run<T>(slot: CapturedResponse, fn: () => Promise<T>): Promise<T>;
  close(): void;
}

const CHANNEL = 'http.client.response.finish';

export function createResponseCapture(apiUrl: string): ResponseCapture {
  const target = new URL(apiUrl);
  const basePath = target.pathname.replace(/\/$/, '');
  const storage = new AsyncLocalStorage<CapturedResponse>();

  const onResponse = (message: unknown): void => {
    const slot = storage.getStore();
    if (!slot) return;
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    // The token fetch runs inside the same async context; only API responses belong in the slot.
    if (request.host !== target.hostname || !request.path.startsWith(basePath)) return;
    slot.status = response.statusCode ?? 0;
    slot.headers = response.headers;
    const authorization = request.getHeader('authorization');
    if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
      slot.bearerToken = authorization.slice('Bearer '.length);
    }
  };
  diagnosticsChannel.subscribe(CHANNEL, onResponse);

  return {
    run: (slot, fn) => storage.run(slot, fn),
    close() {
      diagnosticsChannel.unsubscribe(CHANNEL, onResponse);
      storage.disable();
    },
  };
}
