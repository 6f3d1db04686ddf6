import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeetingsS2SAuthClient, type HttpReceiver, type MeetingsS2SAuthOptions, type S2SAuthToken } from '@zoom/rivet/meetings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseCapture, type CapturedResponse } from '../../../src/providers/zoom/response-capture.js';

/**
 * What src/providers/zoom relies on inside @zoom/rivet beyond its typed API, exercised on rivet itself so an
 * upgrade that changes any of it fails here, not during an event:
 * - the runtime-only options `baseUrl` and `timeout` are honoured;
 * - a token store that answers a fresh token is all rivet asks (it never fetches one from zoom.us itself);
 * - its requests go through Node's http client, so their responses (with Retry-After and X-RateLimit-*)
 *   reach the `http.client.response.finish` diagnostics channel inside the caller's async context;
 * - a failed call rejects with an error whose message carries status and Zoom's code (`[429/429]: "…"`).
 */
const TOKEN = 'contract-access-token';
let server: Server;
let apiUrl: string;
const seen: IncomingMessage[] = [];
let tokenReads = 0;

const tokenStore = {
  getLatestToken(): S2SAuthToken {
    tokenReads += 1;
    return { accessToken: TOKEN, expirationTimeIso: new Date(Date.now() + 3_600_000).toISOString(), scopes: [] };
  },
  storeToken(): void {
    throw new Error('rivet fetched a token of its own');
  },
};

function rivetClient(timeout = 2000) {
  const options: MeetingsS2SAuthOptions<HttpReceiver> & { disableReceiver: true } = {
    clientId: 'contract-client',
    clientSecret: 'contract-secret',
    accountId: 'contract-account',
    tokenStore,
    disableReceiver: true,
  };
  return new MeetingsS2SAuthClient({ ...options, ...{ baseUrl: apiUrl, timeout } } as typeof options);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request);
    const id = request.url?.split('/').pop();
    if (id === '429') {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7', 'x-ratelimit-category': 'Medium', 'x-ratelimit-remaining': '0' });
      response.end(JSON.stringify({ code: 429, message: 'You have reached the maximum per-second rate limit for this API.' }));
      return;
    }
    if (id === 'hang') return;
    response.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '41', 'x-ratelimit-category': 'Light' });
    response.end(JSON.stringify({ id: 81234567890, topic: 'Contract' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('@zoom/rivet internals the Zoom client relies on', () => {
  it('calls baseUrl with the token from the store, and its response reaches the diagnostics channel', async () => {
    const capture = createResponseCapture(apiUrl);
    try {
      const slot: CapturedResponse = {};
      const before = tokenReads;
      const result = await capture.run(slot, () => rivetClient().endpoints.webinars.getWebinar({ path: { webinarId: '81234567890' } }));
      expect(result.statusCode).toBe(200);
      expect(result.data).toMatchObject({ id: 81234567890 });
      expect(tokenReads).toBeGreaterThan(before);
      const request = seen.at(-1)!;
      expect(request.url).toBe('/v2/webinars/81234567890');
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(slot).toMatchObject({ status: 200, bearerToken: TOKEN, headers: expect.objectContaining({ 'x-ratelimit-remaining': '41' }) });
    } finally {
      capture.close();
    }
  });

  it('rejects a 429 with status and code in its message, while the channel keeps Retry-After', async () => {
    const capture = createResponseCapture(apiUrl);
    try {
      const slot: CapturedResponse = {};
      const error = await capture.run(slot, () => rivetClient().endpoints.webinars.getWebinar({ path: { webinarId: '429' } })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^\[429\/429\]: "You have reached the maximum per-second rate limit/);
      expect(slot.headers).toMatchObject({ 'retry-after': '7', 'x-ratelimit-category': 'Medium' });
    } finally {
      capture.close();
    }
  });

  it('gives up after the runtime-only timeout', async () => {
    const error = await rivetClient(300).endpoints.webinars.getWebinar({ path: { webinarId: 'hang' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/timeout of 300ms exceeded/);
  });
});
