import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { findLeaks, linkSecrets } from '../helpers/log-audit.js';
import { createPrng, seedFromEnv, type Prng } from '../helpers/prng.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { ORGANIZER_TOKEN } from '../helpers/test-config.js';
import { TestClock } from '../helpers/test-clock.js';
import { person, resilienceProgramme } from './fixtures.js';

/**
 * 10,000 generated malformed requests (seeded; replay with RESILIENCE_SEED=<seed>) against the whole app:
 * programmes and participants of random shapes and wrong types, huge and exotic strings, broken JSON, wrong
 * content types, random bearer tokens, random and tampered link tokens and session ids. Never a 5xx; every
 * 400 is `{error, issues:[{path, message}]}`; and the event stored beforehand is exactly as it was.
 */
const SEED = seedFromEnv('RESILIENCE_SEED');
const COUNT = 10_000;
const KEEP = 'keep-evt';
let stack: Stack;
const clock = new TestClock('2030-06-04T07:05:00Z', true);
type Issued = { id: string; email: string; links: { page: string; calendar: string; join: Record<string, string> } };
let kept: Issued[] = [];
let eventBefore: unknown;

beforeAll(async () => {
  console.log(`[resilience] malformed-requests seed ${SEED} (replay with RESILIENCE_SEED=${SEED})`);
  stack = await startStack({ clock });
  expect((await stack.app.inject({ method: 'PUT', url: `/api/v1/events/${KEEP}`, headers: auth, payload: resilienceProgramme(KEEP) })).statusCode).toBe(201);
  const res = await stack.app.inject({ method: 'POST', url: `/api/v1/events/${KEEP}/participants`, headers: auth, payload: { participants: [person(1, 'moderator'), person(2), person(3)] } });
  expect(res.statusCode).toBe(201);
  kept = res.json().participants;
  eventBefore = (await stack.app.inject({ method: 'GET', url: `/api/v1/events/${KEEP}`, headers: auth })).json();
});

afterAll(async () => {
  await stack?.close();
});

// ---- the generator -------------------------------------------------------------------------------------

/** Percent-encodes; a lone surrogate becomes the (invalid UTF-8) bytes of one, which is worth sending too. */
function enc(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

const EXOTIC = ['', ' ', '\u0000', '\u202e\u0645\u0631\u062d\u0628\u0627', 'z\u0351\u0360\u0368a\u0357\u0308l\u036bgo', '😀🏳️‍🌈👩‍👩‍👧', '\ud800', '\uffff', 'Ω≈ç√∫', '<script>alert(1)</script>', "'; DROP TABLE x; --", '${jndi:ldap://x}', '../../etc/passwd', '%00%2e%2e%2f', 'null', 'true', '1e999', '-0', '__proto__', 'constructor', 'a'.repeat(65), 'Europe/Nowhere', '2024-02-30', '25:61', '9999-99-99'];

function randomString(r: Prng): string {
  switch (r.int(0, 5)) {
    case 0:
      return r.pick(EXOTIC);
    case 1:
      return r.pick(['x', 'é', '中', '😀', 'a-b', ' ', '\n', '"', '\\']).repeat(r.int(1, r.bool(0.1) ? 20_000 : 300));
    case 2:
      return Array.from({ length: r.int(0, 40) }, () => String.fromCodePoint(r.int(0x20, r.bool(0.7) ? 0x7e : 0x2fff))).join('');
    case 3:
      return `${r.int(0, 9999)}-${r.int(0, 99)}-${r.int(0, 99)}`;
    case 4:
      return `${r.int(0, 30)}:${r.int(0, 70)}`;
    default:
      return `person-${r.int(0, 1e6)}@${r.pick(['example.org', 'x', '', '例え.jp', 'a..b'])}`;
  }
}

function randomValue(r: Prng, depth = 0): unknown {
  const kind = r.int(0, depth > 3 ? 4 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.bool();
    case 2:
      return r.pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), 1e308, Number.MAX_SAFE_INTEGER, r.int(-1e6, 1e6)]);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return Array.from({ length: r.int(0, r.bool(0.05) ? 200 : 4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(0, 5) }, () => [r.bool(0.7) ? r.pick(['id', 'title', 'days', 'sessions', 'date', 'kind', 'start', 'end', 'room', 'timezone', 'name', 'email', 'role', 'language', 'participants', 'interpretation', 'languages', 'interpreters', '__proto__', 'constructor']) : randomString(r), randomValue(r, depth + 1)]));
  }
}

/** Walks to a random node of a JSON tree and replaces, deletes or adds something there. */
function mutate(r: Prng, value: unknown, forceInvalid: boolean): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') {
      containers.push(v as Record<string, unknown>);
      for (const child of Object.values(v)) walk(child);
    }
  };
  walk(copy);
  for (let i = r.int(1, 3); i > 0; i--) {
    const target = r.pick(containers);
    const keys = Object.keys(target);
    const op = r.int(0, 3);
    if (Array.isArray(target)) {
      if (op === 0 && target.length > 0) target.splice(r.int(0, target.length - 1), 1);
      else if (op === 1) target.push(randomValue(r));
      else if (target.length > 0) target[r.int(0, target.length - 1)] = randomValue(r);
    } else if (op === 0 && keys.length > 0) delete target[r.pick(keys)];
    else if (op === 1 || keys.length === 0) target[randomString(r).slice(0, 30) || 'extra'] = randomValue(r);
    else target[r.pick(keys)] = randomValue(r);
  }
  // An unknown top-level field: the contract says such a document is rejected, whatever else it holds.
  if (forceInvalid && copy && typeof copy === 'object' && !Array.isArray(copy)) (copy as Record<string, unknown>)[`unknownField${r.int(0, 99)}`] = randomValue(r);
  else if (forceInvalid) return { unknownField: copy };
  return copy;
}

function randomToken(r: Prng): string {
  const real = r.pick(kept).links.page.split('/p/')[1]!;
  switch (r.int(0, 6)) {
    case 0: {
      const i = r.int(0, real.length - 1);
      return real.slice(0, i) + r.pick(['A', 'b', '-', '_', '.', '0']) + real.slice(i + 1);
    }
    case 1:
      return real.slice(0, r.int(0, real.length - 1));
    case 2:
      return `${Buffer.from(`k1:${KEEP}:p-${'a'.repeat(12)}`).toString('base64url')}.${Buffer.from(randomString(r)).toString('base64url') || 'x'}`;
    case 3:
      return enc(randomString(r)) || '%20';
    case 4:
      return 'A'.repeat(r.int(1, 2000));
    case 5:
      return `${real}${r.pick(['.', '..', '%2F..', '%00', '/../../x'])}`;
    default:
      return Buffer.from(Array.from({ length: r.int(1, 64) }, () => r.int(0, 255))).toString('base64url');
  }
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/jsonx', '*/*', 'garbage', ''];
const BROKEN_JSON = ['{', '{"id":', '[1,2', '{"participants":[{"name":"x","email":"y@z.org"}', 'nul', '{"a":1}}', '\u0000', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', "{'single':'quotes'}", '{"a":1,}', '1'.repeat(400), '"just a string"', '[]', '{}', 'NaN', '{"participants": "' + 'x'.repeat(2_000_000) + '"}'];

function randomAuth(r: Prng): Record<string, string> {
  if (r.bool(0.6)) return auth;
  switch (r.int(1, 6)) {
    case 1:
    case 2:
      return {};
    case 3:
      return { authorization: `Bearer ${randomString(r).replace(/[^\x21-\x7e]/g, 'x')}` };
    case 4:
      return { authorization: r.pick(['Bearer', 'Bearer ', `Basic ${Buffer.from('a:b').toString('base64')}`, `bearer ${ORGANIZER_TOKEN}x`, `Bearer ${ORGANIZER_TOKEN.slice(0, -1)}`, `Bearer  ${ORGANIZER_TOKEN} extra`, `Token ${ORGANIZER_TOKEN}`]) };
    case 5:
      return { authorization: `Bearer ${'z'.repeat(r.int(100, 9000))}` };
    default:
      return { authorization: `Bearer ${Buffer.from(Array.from({ length: 24 }, () => r.int(0, 255))).toString('base64')}` };
  }
}

const eventId = (r: Prng) => (r.bool(0.5) ? KEEP : r.pick(['fuzz-a', 'x', 'UPPER', 'a_b', 'a'.repeat(70), '%2e%2e', enc(randomString(r)) || 'e', '-', 'évent']));

interface Generated {
  options: InjectOptions;
  /** Requests that must not change the stored event (they are aimed at it and malformed on purpose). */
  mustFail: boolean;
  kind: string;
}

function generate(r: Prng): Generated {
  const kind = r.pick(['programme', 'participants', 'token', 'join', 'calendar', 'broken-json', 'content-type', 'organizer-misc', 'random-path'] as const);
  const headers: Record<string, string> = { ...randomAuth(r), ...(r.bool(0.1) ? { 'x-request-id': randomString(r).replace(/[^\x21-\x7e]/g, '') } : {}) };
  const json = { ...headers, 'content-type': 'application/json' };
  switch (kind) {
    case 'programme': {
      const id = eventId(r);
      const body = r.bool(0.2) ? randomValue(r) : mutate(r, resilienceProgramme(id === KEEP ? KEEP : 'fuzz-a'), id === KEEP);
      return { kind, mustFail: id === KEEP, options: { method: 'PUT', url: `/api/v1/events/${id}`, headers: json, payload: JSON.stringify(body) ?? 'null' } };
    }
    case 'participants': {
      const id = eventId(r);
      const body = r.bool(0.2) ? randomValue(r) : mutate(r, { participants: [person(r.int(100, 200)), person(r.int(200, 300), 'panelist')] }, id === KEEP);
      return { kind, mustFail: id === KEEP, options: { method: 'POST', url: `/api/v1/events/${id}/participants`, headers: json, payload: JSON.stringify(body) ?? 'null' } };
    }
    case 'token':
      return { kind, mustFail: false, options: { method: r.pick(['GET', 'GET', 'HEAD', 'POST']), url: `/p/${randomToken(r)}`, headers } };
    case 'join':
      return { kind, mustFail: false, options: { method: 'GET', url: `/p/${randomToken(r)}/join/${r.bool(0.5) ? r.pick(['a1-open', 'c-opening', 'nope']) : enc(randomString(r)) || 'x'}`, headers } };
    case 'calendar':
      return { kind, mustFail: false, options: { method: 'GET', url: `/p/${randomToken(r)}/calendar.ics${r.bool(0.3) ? `?${enc(randomString(r))}=1` : ''}`, headers } };
    case 'broken-json': {
      const target = r.bool(0.5) ? `/api/v1/events/${KEEP}` : `/api/v1/events/${KEEP}/participants`;
      return { kind, mustFail: true, options: { method: target.endsWith('participants') ? 'POST' : 'PUT', url: target, headers: { ...headers, 'content-type': 'application/json' }, payload: r.pick(BROKEN_JSON) } };
    }
    case 'content-type': {
      const ct = r.pick(CONTENT_TYPES);
      const body = r.bool(0.5) ? JSON.stringify({ participants: [person(r.int(300, 400))], extra: 1 }) : randomString(r);
      return { kind, mustFail: true, options: { method: r.pick(['PUT', 'POST']), url: r.bool(0.5) ? `/api/v1/events/${KEEP}` : `/api/v1/events/${KEEP}/participants`, headers: { ...headers, ...(ct ? { 'content-type': ct } : {}) }, payload: body } };
    }
    case 'organizer-misc': {
      const id = eventId(r);
      const which = r.int(0, 3);
      if (which === 0) return { kind, mustFail: false, options: { method: 'GET', url: `/api/v1/events/${id}${r.pick(['', '/provisioning', '/plan', '/nothing'])}`, headers } };
      if (which === 1) return { kind, mustFail: false, options: { method: 'DELETE', url: `/api/v1/events/${id}/participants/${r.bool(0.5) ? `p-${randomString(r)}` : r.pick(['p-000000000000', 'p-zzzzzzzzzzzz', '..', 'p-'])}`, headers } };
      if (which === 2) return { kind, mustFail: false, options: { method: 'POST', url: `/api/v1/events/${id === KEEP ? 'fuzz-a' : id}/provision`, headers, ...(r.bool(0.5) ? { payload: JSON.stringify(randomValue(r)), headers: { ...headers, 'content-type': 'application/json' } } : {}) } };
      return { kind, mustFail: false, options: { method: r.pick(['PATCH', 'OPTIONS', 'DELETE', 'TRACE']), url: `/api/v1/events/${id}`, headers } };
    }
    default:
      return { kind, mustFail: false, options: { method: r.pick(['GET', 'POST', 'PUT', 'DELETE']), url: `/${enc(randomString(r)).slice(0, 3000)}${r.bool(0.3) ? `?q=${enc(randomString(r)).slice(0, 3000)}` : ''}`, headers } };
  }
}

// ---- the run --------------------------------------------------------------------------------------------

function checkErrorShape(res: LightMyRequestResponse, label: string): void {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    throw new Error(`${label}: 400 that is not JSON: ${res.body.slice(0, 200)}`);
  }
  const b = body as { error?: unknown; issues?: unknown };
  expect(typeof b.error, `${label}: ${res.body.slice(0, 300)}`).toBe('string');
  expect(Array.isArray(b.issues) && b.issues.length > 0, `${label}: no issues in ${res.body.slice(0, 300)}`).toBe(true);
  for (const issue of b.issues as Array<Record<string, unknown>>) {
    expect(typeof issue.path, `${label}: ${JSON.stringify(issue)}`).toBe('string');
    expect(typeof issue.message, `${label}: ${JSON.stringify(issue)}`).toBe('string');
  }
}

describe(`${COUNT} generated malformed requests`, () => {
  it('never answer 5xx, always explain a 400, and leave the stored event untouched', { timeout: 150_000 }, async () => {
    const r = createPrng(SEED);
    const statuses = new Map<number, number>();
    const rejectedByClient: string[] = [];
    // Known defect, asserted on its own below: these 400s come from Fastify's router without `issues`.
    const badUrl: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const g = generate(r);
      const label = `#${i} ${g.kind} ${g.options.method} ${String(g.options.url).slice(0, 120)} (seed ${SEED})`;
      let res: LightMyRequestResponse;
      try {
        res = await stack.app.inject(g.options);
      } catch (error) {
        // light-my-request refuses some header values before anything reaches the server.
        rejectedByClient.push(`${label}: ${(error as Error).message}`);
        continue;
      }
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
      if (res.statusCode === 400 && res.body.includes('"code":"FST_ERR_BAD_URL"')) badUrl.push(label);
      else if (res.statusCode === 400 && g.options.method !== 'HEAD') checkErrorShape(res, label);
      if (g.mustFail) expect(res.statusCode, `${label} was accepted: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    }
    console.log(`[resilience] malformed-requests seed ${SEED}: statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${rejectedByClient.length} refused by the inject client; ${badUrl.length} FST_ERR_BAD_URL 400s without issues`);
    expect(rejectedByClient.length).toBeLessThan(COUNT / 100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(COUNT / 8);

    // The event and its participants are exactly as before, and their links still work.
    const after = await stack.app.inject({ method: 'GET', url: `/api/v1/events/${KEEP}`, headers: auth });
    expect(after.json()).toEqual(eventBefore);
    const stored = await stack.deps.participantStore.list(KEEP);
    expect(stored.map((p) => [p.id, p.email, p.name, p.role]).sort()).toEqual(kept.map((p) => [p.id, p.email, `Person ${p.email.match(/\d+/)![0]} Tester`, p.email.startsWith('person-1@') ? 'moderator' : 'participant']).sort());
    for (const p of kept) {
      expect((await stack.app.inject({ method: 'GET', url: new URL(p.links.page).pathname })).statusCode).toBe(200);
      expect((await stack.app.inject({ method: 'GET', url: new URL(p.links.join['a1-open']!).pathname })).statusCode).toBe(302);
    }
    expect((await stack.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  // Fastify's router answers a path with an invalid percent-encoding itself (FST_ERR_BAD_URL); the app's
  // frameworkErrors handler must give it the same {error, issues} shape as every other 400.
  it('a 400 for an undecodable path also has {error, issues:[{path, message}]}', async () => {
    for (const url of [`/api/v1/events/%ED%A0%80`, `/api/v1/events/%E0%A4%A/participants`, `/p/%ff/join/x`]) {
      const res = await stack.app.inject({ method: 'GET', url, headers: auth });
      expect(res.statusCode).toBe(400);
      checkErrorShape(res, url);
    }
  });

  it('logged no secret, personal token or signed provider URL', () => {
    expect(findLeaks(stack.logs, linkSecrets(kept.map((p) => p.links.page)))).toEqual([]);
  });
});
