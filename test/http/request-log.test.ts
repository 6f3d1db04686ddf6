import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { signLink } from '../../src/domain/link-token.js';
import { redactUrl } from '../../src/http/request-log.js';
import { createLogger } from '../../src/logger.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';
import { oneDay } from '../helpers/programme-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';

/**
 * Issue 9 item 5: personal link tokens are cut out of every logged URL by their shape, whatever the route:
 * spellings that still reach the participant routes (percent-encoded letters or dot) and paths that match
 * no route at all. Logged at trace, so Fastify's own lines would be captured too if it wrote any.
 */
let s: Stack;
const clock = new TestClock('2030-06-03T07:05:00Z', true);
let token = '';
let payload = '';
let signature = '';

/** Every character percent-encoded: still the same path to Fastify's router. */
const encodeAll = (text: string) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');

beforeAll(async () => {
  s = await startStack({ clock, env: { LOG_LEVEL: 'trace' } });
  const programme = oneDay([{ id: 's-main', start: '09:00', end: '10:00' }], { id: 'ev-2026', date: '2030-06-03' });
  expect((await s.app.inject({ method: 'PUT', url: '/api/v1/events/ev-2026', headers: auth, payload: programme })).statusCode).toBe(201);
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/ev-2026/participants', headers: auth, payload: { participants: [{ name: 'Ana', email: 'ana@example.org' }] } });
  expect(res.statusCode).toBe(201);
  token = new URL(res.json().participants[0].links.page).pathname.split('/')[2]!;
  [payload, signature] = token.split('.') as [string, string];
  expect(payload.length).toBeGreaterThan(0);
  expect(signature.length).toBe(43);
});
afterAll(async () => s?.close());

let listening: Promise<unknown> | undefined;
const port = () => (s.app.server.address() as AddressInfo).port;

/** The log lines written while serving one request. */
async function logsOf(url: string, expectedStatus?: number): Promise<{ lines: string[]; status: number }> {
  const before = s.logs.length;
  const res = await s.app.inject({ method: 'GET', url });
  if (expectedStatus !== undefined) expect(res.statusCode, url).toBe(expectedStatus);
  const lines = s.logs.slice(before);
  expect(lines.some((line) => line.includes('"request completed"')), `no access line for ${url}`).toBe(true);
  return { lines, status: res.statusCode };
}

function expectNoTokenIn(lines: readonly string[], what: string) {
  const text = lines.join('');
  for (const [label, secret] of [
    ['token', token],
    ['signature', signature],
    ['payload', payload],
  ] as const) {
    expect(text.includes(secret), `${label} of the link token in the log of ${what}:\n${text}`).toBe(false);
  }
}

describe('link tokens in logged URLs', () => {
  // [path, status it answers]: the status shows which variants still reach a participant route.
  const variants: Array<[string, () => string, number | undefined]> = [
    ['page', () => `/p/${token}`, 200],
    ['join', () => `/p/${token}/join/s-main`, 302],
    ['calendar', () => `/p/${token}/calendar.ics`, 200],
    ['page with a query', () => `/p/${token}?utm_source=mail`, 200],
    ['page with a trailing slash', () => `/p/${token}/`, undefined],
    ['page, %70 for p', () => `/%70/${token}`, 200],
    ['join, %70 for p', () => `/%70/${token}/join/s-main`, 302],
    ['page, %2E for the dot', () => `/p/${payload}%2E${signature}`, 200],
    ['join, %2e for the dot', () => `/p/${payload}%2e${signature}/join/s-main`, 302],
    ['page, every character of the token percent-encoded', () => `/p/${encodeAll(token)}`, 200],
    ['join, the signature percent-encoded', () => `/p/${payload}.${encodeAll(signature)}/join/s-main`, 302],
    ['double slash', () => `//p/${token}`, undefined],
    ['upper-case P', () => `/P/${token}`, 404],
    ['dot segment', () => `/./p/${token}`, undefined],
    ['%2F before p', () => `/%2Fp/${token}`, undefined],
    ['%2F between p and the token', () => `/p%2F${token}`, undefined],
    ['%2F after the token', () => `/p/${token}%2Fjoin%2Fs-main`, undefined],
    ['unknown prefix', () => `/x/${token}/join/s-main`, 404],
    ['token as the whole path', () => `/${token}`, 404],
    ['the signature alone', () => `/x/${signature}`, 404],
    ['the payload and signature as two segments', () => `/p/${payload}/${signature}`, undefined],
    ['the token in a query value', () => `/left/ev-2026?t=${token}`, 200],
    ['the signature in a query value', () => `/api/v1/events/ev-2026?sig=${signature}`, 401],
    ['the token as a query key', () => `/healthz?${token}`, 200],
    ['an undecodable path around the token', () => `/p/${token}/join/%E0%A4%A`, 400],
  ];

  it.each(variants)('%s: neither the token nor its signature or payload is logged', async (name, url, status) => {
    const { lines } = await logsOf(url(), status);
    expectNoTokenIn(lines, name);
  });

  // app.inject normalises the URL (WHATWG URL parsing drops dot segments); a socket sends the bytes as given.
  it.each([
    ['dot segment', () => `/./p/${token}`],
    ['dot-dot segment', () => `/../p/${token}/join/s-main`],
    ['double slash', () => `//p/${token}/join/s-main`],
    ['backslash', () => `/p\\${token}`],
  ])('%s over a real socket: neither the token nor its signature or payload is logged', async (name, url) => {
    await (listening ??= s.app.listen({ port: 0, host: '127.0.0.1' }));
    const before = s.logs.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: port(), path: url(), method: 'GET' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBeGreaterThan(0);
    await expect.poll(() => s.logs.slice(before).some((line) => line.includes('"request completed"'))).toBe(true);
    expectNoTokenIn(s.logs.slice(before), name);
  });

  it('keeps the path readable around the cut', async () => {
    const accessUrl = async (url: string) => {
      const { lines } = await logsOf(url);
      const entry = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.msg === 'request completed');
      return entry?.url;
    };
    expect(await accessUrl(`/p/${token}/join/s-main`)).toBe('/p/[token]/join/s-main');
    expect(await accessUrl(`/%70/${token}/join/s-main`)).toBe('/%70/[token]/join/s-main');
    expect(await accessUrl(`//p/${token}`)).toBe('//p/[token]');
    expect(await accessUrl(`/p/${payload}%2E${signature}/calendar.ics`)).toBe('/p/[token]/calendar.ics');
    expect(await accessUrl('/left/ev-2026?t=1')).toBe('/left/ev-2026');
  });
});

describe('redactUrl', () => {
  const sig = 'Qm9pbGVkIGRvd24gdG8gNDMgY2hhcmFjdGVycyBvZiBi';
  it.each([
    // Ordinary ids and paths stay readable.
    ['/api/v1/events/ev-2026/participants/p-abc123def456', '/api/v1/events/ev-2026/participants/p-abc123def456'],
    ['/api/v1/events/human-rights-go-local-what-works-2024-graz/provisioning', '/api/v1/events/human-rights-go-local-what-works-2024-graz/provisioning'],
    ['/left/ev-2026', '/left/ev-2026'],
    ['/api/v1/events/550e8400-e29b-41d4-a716-446655440000', '/api/v1/events/550e8400-e29b-41d4-a716-446655440000'],
    ['/api/v1/events/550E8400-E29B-41D4-A716-446655440000', '/api/v1/events/550E8400-E29B-41D4-A716-446655440000'],
    ['/assets/participant-page.js', '/assets/participant-page.js'],
    ['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui-bundle.js'],
    ['/admin/queues/api/queues/zoom-registrants', '/admin/queues/api/queues/zoom-registrants'],
    ['/p/short', '/p/short'],
    ['/', '/'],
    ['', ''],
    // The query is never logged.
    ['/healthz?verbose=1', '/healthz'],
    // Token-shaped segments are cut, wherever they are.
    [`/p/azE6ZXYtMjAyNjpwLWFiYzEyM2RlZjQ1Ng.${sig}/join/s-main`, '/p/[token]/join/s-main'],
    [`/anything/${sig}`, '/anything/[token]'],
    [`/a/${sig}/b/${sig}`, '/a/[token]/b/[token]'],
    [`/a/b%2E${sig}`, '/a/[token]'],
    // Hex digests (checksums): 32 hex digits or more in a row.
    ['/x/0123456789abcdef0123456789abcdef01234567', '/x/[token]'],
    ['/x/0123456789ABCDEF0123456789ABCDEF', '/x/[token]'],
    ['/x/0123456789abcdef0123456789abcde', '/x/0123456789abcdef0123456789abcde'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactUrl on generated tokens', () => {
  const seed = seedFromEnv('REDACT_SEED');
  it(`cuts every generated token, MAC and payload (seed ${seed}, replay with REDACT_SEED=${seed})`, () => {
    const r = createPrng(seed);
    const id = (n: number) => Array.from({ length: n }, () => r.pick([...'abcdefghijklmnopqrstuvwxyz0123456789-'])).join('');
    for (let i = 0; i < 5000; i += 1) {
      const secret = Array.from({ length: 32 }, () => String.fromCharCode(r.int(33, 126))).join('');
      const token = signLink({ eventId: id(r.int(1, 64)), participantId: `p-${id(12)}` }, { id: id(r.int(1, 32)), secret });
      const [payload, mac] = token.split('.') as [string, string];
      for (const url of [`/p/${token}/join/s-main`, `/x/${mac}`, `/x/${payload}`, `/p/${payload}%2E${mac}`]) {
        const logged = redactUrl(url);
        expect(logged.includes(mac) || logged.includes(payload), `${url} → ${logged}`).toBe(false);
      }
    }
  });
});

describe('request objects in log lines', () => {
  it('are reduced to method and the redacted URL', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const token = signLink({ eventId: 'ev-2026', participantId: 'p-abc123def456' }, { id: 'k1', secret: 'x'.repeat(32) });
    createLogger('info', sink).info({ req: { method: 'GET', url: `/%70/${token}?a=b`, headers: { authorization: 'Bearer abc' }, id: 'r1' } }, 'incoming request');
    expect(JSON.parse(lines[0]!).req).toEqual({ method: 'GET', url: '/%70/[token]', reqId: 'r1' });
  });
});
