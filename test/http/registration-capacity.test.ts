import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { signConfirmToken } from '../../src/domain/confirm-token.js';
import { createLogger } from '../../src/logger.js';
import { createRegistrationStore } from '../../src/store/registration-store.js';
import { FORM_HEADERS, form, formTokenOf, listParticipants, pressButton, register, registrationProgramme } from '../helpers/registration-flow.js';
import { createServiceParts, type ServiceParts } from '../helpers/service-parts.js';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import { SIGNING_KEY, testConfig } from '../helpers/test-config.js';

const key = { id: SIGNING_KEY.split(':')[0]!, secret: SIGNING_KEY.slice(SIGNING_KEY.indexOf(':') + 1) };
const clock = new TestClock('2030-05-01T08:00:00Z');
let t: TestApp;
/** A second API process on the same Redis and key prefix. */
let other: { parts: ServiceParts; app: FastifyInstance };

beforeAll(async () => {
  t = await createTestApp({ clock });
  const parts = await createServiceParts(testConfig(), createLogger('silent'), { keyPrefix: t.prefix, clock });
  other = { parts, app: await buildApp(parts.api.app) };
});
afterAll(async () => {
  await other?.app.close();
  await other?.parts.deps.close();
  await t?.close();
});

const put = async (body: object) => expect((await t.app.inject({ method: 'PUT', url: `/api/v1/events/${(body as { id: string }).id}`, headers: auth, payload: body })).statusCode).toBeLessThan(300);
const messages = async (eventId: string, query = '') =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/events/${eventId}/messages${query}`, headers: auth })).json().messages as Array<{ id: string; participantId: string; kind: string }>;

/** Registers each address and returns its confirmation link, as the mail would carry it. */
async function pendingLinks(eventId: string, emails: readonly string[]): Promise<Map<string, string>> {
  for (const email of emails) expect((await register(t.app, eventId, { email, name: email.split('@')[0]! })).statusCode).toBe(303);
  const store = createRegistrationStore(t.deps.redis, t.deps.keys);
  const links = new Map<string, string>();
  for (const m of await messages(eventId, '?kind=confirmation')) {
    const pending = await store.pending(eventId, m.participantId);
    if (pending && emails.includes(pending.email)) links.set(pending.email, `/e/${eventId}/confirm/${signConfirmToken({ eventId, registrationId: pending.id, expiresAt: new Date(pending.expiresAt) }, key)}`);
  }
  return links;
}

async function confirmAll(eventId: string, emails: readonly string[]): Promise<Map<string, { status: number; location?: string; body: string }>> {
  const links = await pendingLinks(eventId, emails);
  const out = new Map<string, { status: number; location?: string; body: string }>();
  for (const email of emails) {
    const res = await pressButton(t.app, links.get(email)!);
    out.set(email, { status: res.statusCode, ...(res.headers.location ? { location: String(res.headers.location) } : {}), body: res.body });
  }
  return out;
}

const addByOrganizer = async (eventId: string, people: Array<{ name: string; email: string }>) =>
  (await t.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/participants`, headers: auth, payload: { participants: people, notify: false } })).json().participants as Array<{ id: string; links: { page: string } }>;

describe('capacity and waitlist', () => {
  it('waitlists confirmations beyond capacity (told so, no link) and promotes the first one, same id, when a place frees', async () => {
    await put(registrationProgramme('cap', { open: true, capacity: 2 }));
    const [organizerAdded] = await addByOrganizer('cap', [{ name: 'Org Added', email: 'org@example.org' }]);
    const results = await confirmAll('cap', ['one@example.org', 'two@example.org', 'three@example.org']);
    expect(results.get('one@example.org')).toMatchObject({ status: 303, location: expect.stringMatching(/^http:\/\/links\.test\/p\//) });
    for (const email of ['two@example.org', 'three@example.org']) {
      const r = results.get(email)!;
      expect(r.status, email).toBe(200);
      expect(r.location).toBeUndefined();
      expect(r.body).toContain('waitlist');
      expect(r.body).not.toMatch(/\/p\//);
    }
    expect(results.get('two@example.org')!.body).toContain('number 1 on the waitlist');
    expect(results.get('three@example.org')!.body).toContain('number 2 on the waitlist');

    const waitlisted = (await listParticipants(t.app, 'cap', '?status=waitlisted')).participants;
    expect(waitlisted.map((p) => [p.email, p.status])).toEqual(
      expect.arrayContaining([
        ['two@example.org', 'waitlisted'],
        ['three@example.org', 'waitlisted'],
      ]),
    );
    expect((await listParticipants(t.app, 'cap', '?status=registered')).participants.map((p) => p.email).sort()).toEqual(['one@example.org', 'org@example.org']);
    const two = waitlisted.find((p) => p.email === 'two@example.org')!;
    // The waitlist notice (a confirmation-kind message), nothing that carries a link.
    expect((await messages('cap', `?participantId=${two.id}`)).map((m) => m.id)).toEqual([`cnf:${two.id}:1`]);
    // Confirming again keeps the place in the queue.
    expect((await pressButton(t.app, (await pendingLinksFor('cap', 'two@example.org'))!)).body).toContain('number 1 on the waitlist');

    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/cap/participants/${organizerAdded!.id}`, headers: auth })).statusCode).toBe(204);
    const after = await listParticipants(t.app, 'cap');
    expect(after.participants.find((p) => p.email === 'two@example.org')).toMatchObject({ id: two.id, status: 'registered' });
    expect(after.participants.find((p) => p.email === 'three@example.org')).toMatchObject({ status: 'waitlisted' });
    // Now confirmed: the confirmation link leads to the personal page.
    expect((await pressButton(t.app, (await pendingLinksFor('cap', 'two@example.org'))!)).statusCode).toBe(303);

    // The organizer can take someone off the waitlist; they are then unknown.
    const three = after.participants.find((p) => p.email === 'three@example.org')!;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/cap/participants/${three.id}`, headers: auth })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/cap/participants/${three.id}`, headers: auth })).statusCode).toBe(404);
    expect((await listParticipants(t.app, 'cap', '?status=waitlisted')).participants).toEqual([]);
  });

  it('admits the waitlist when the programme raises the capacity', async () => {
    await put(registrationProgramme('raise', { open: true, capacity: 1 }));
    await confirmAll('raise', ['r1@example.org', 'r2@example.org', 'r3@example.org']);
    expect((await listParticipants(t.app, 'raise', '?status=waitlisted')).participants).toHaveLength(2);
    await put(registrationProgramme('raise', { open: true, capacity: 2 }));
    const listed = (await listParticipants(t.app, 'raise')).participants;
    expect(listed.filter((p) => p.status === 'registered').map((p) => p.email).sort()).toEqual(['r1@example.org', 'r2@example.org']);
    expect(listed.filter((p) => p.status === 'waitlisted').map((p) => p.email)).toEqual(['r3@example.org']);
  });

  it('gives exactly the last 10 places to 50 confirmations racing across two API processes', { timeout: 60_000 }, async () => {
    await put(registrationProgramme('race', { open: true, capacity: 12 }));
    await addByOrganizer('race', [
      { name: 'A', email: 'a@example.org' },
      { name: 'B', email: 'b@example.org' },
    ]);
    const emails = Array.from({ length: 50 }, (_, i) => `racer-${i}@example.org`);
    const links = await pendingLinks('race', emails);
    const apps = [t.app, other.app];
    // Each browser has opened its confirmation page first; then everybody presses the button at once.
    const ready = await Promise.all(
      emails.map(async (email, i) => {
        const app = apps[i % 2]!;
        const { cookie, token } = formTokenOf(await app.inject({ method: 'GET', url: links.get(email)! }));
        return { app, email, cookie, token };
      }),
    );
    const answers = await Promise.all(ready.map(({ app, email, cookie, token }) => app.inject({ method: 'POST', url: links.get(email)!, headers: { ...FORM_HEADERS, cookie }, payload: form({ form: token }) })));
    expect(answers.filter((a) => a.statusCode === 303)).toHaveLength(10);
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(40);
    const listed = (await listParticipants(t.app, 'race', '?limit=1000')).participants;
    expect(listed.filter((p) => p.status === 'registered')).toHaveLength(12);
    expect(listed.filter((p) => p.status === 'waitlisted')).toHaveLength(40);
    expect((await t.deps.participantStore.list('race')).length).toBe(12);
  });
});

async function pendingLinksFor(eventId: string, email: string): Promise<string | undefined> {
  const store = createRegistrationStore(t.deps.redis, t.deps.keys);
  for (const m of await messages(eventId, '?kind=confirmation')) {
    const pending = await store.pending(eventId, m.participantId);
    if (pending?.email === email) return `/e/${eventId}/confirm/${signConfirmToken({ eventId, registrationId: pending.id, expiresAt: new Date(pending.expiresAt) }, key)}`;
  }
  return undefined;
}

describe('cancel from the personal page', () => {
  it('asks first, then revokes like the organizer DELETE and gives the place to the first waiting', async () => {
    await put(registrationProgramme('cancel', { open: true, capacity: 1 }, { language: 'es' }));
    const results = await confirmAll('cancel', ['keen@example.org', 'next@example.org']);
    const page = results.get('keen@example.org')!.location!.replace('http://links.test', '');
    expect((await t.app.inject({ method: 'GET', url: page })).body).toContain(`href="http://links.test${page}/cancel"`);
    const ask = await t.app.inject({ method: 'GET', url: `${page}/cancel` });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toMatch(/<html lang="en">/);
    // A GET changes nothing; a post without this page's token neither.
    expect((await t.app.inject({ method: 'GET', url: page })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `${page}/cancel`, headers: FORM_HEADERS, payload: form({ form: 'x'.repeat(22) }) })).statusCode).toBe(403);
    const done = await pressButton(t.app, `${page}/cancel`);
    expect(done.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: page })).statusCode).toBe(410);
    const listed = (await listParticipants(t.app, 'cancel')).participants;
    expect(listed.map((p) => [p.email, p.status])).toEqual([['next@example.org', 'registered']]);
  });
});

describe('GET …/participants', () => {
  it('pages by cursor in id order, filters by status, refuses a foreign cursor, 404s an unknown event', async () => {
    await put(registrationProgramme('pages', { open: true, capacity: 3 }));
    await addByOrganizer('pages', [1, 2].map((i) => ({ name: `Org ${i}`, email: `org${i}@example.org` })));
    await confirmAll('pages', ['s1@example.org', 's2@example.org', 's3@example.org']);
    const seen: string[] = [];
    let query = '?limit=2';
    for (let round = 0; round < 10; round++) {
      const page = await listParticipants(t.app, 'pages', query);
      expect(page.participants.length).toBeLessThanOrEqual(2);
      seen.push(...page.participants.map((p) => p.id));
      if (!page.next) break;
      query = `?limit=2&cursor=${page.next}`;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(5);
    expect((await listParticipants(t.app, 'pages', '?status=waitlisted')).participants.map((p) => p.email).sort()).toEqual(['s2@example.org', 's3@example.org']);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/events/pages/participants?cursor=bm9wZQ', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/events/pages/participants?status=maybe', headers: auth })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/events/nope/participants', headers: auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/events/pages/participants' })).statusCode).toBe(401);
  });
});

describe('data protection', () => {
  it('exports what is stored about a person, and erasure removes name and address everywhere we keep them', async () => {
    await put(registrationProgramme('gdpr', { open: true, capacity: 1 }));
    await confirmAll('gdpr', ['erin@example.org', 'walt@example.org']);
    const listed = (await listParticipants(t.app, 'gdpr')).participants;
    const erin = listed.find((p) => p.email === 'erin@example.org')!;
    const walt = listed.find((p) => p.email === 'walt@example.org')!;

    const exported = await t.app.inject({ method: 'GET', url: `/api/v1/events/gdpr/participants/${erin.id}/export`, headers: auth });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toContain(`${erin.id}.json`);
    const data = exported.json();
    expect(data).toMatchObject({ id: erin.id, status: 'registered', participant: { email: 'erin@example.org', name: 'erin' }, registration: { consent: { version: expect.any(String) } } });
    expect(data.registration.consent.text).toContain('Registration test 2030');
    expect(JSON.stringify(data)).not.toMatch(/join_url|zoom\.us/);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/events/gdpr/participants/${walt.id}/export`, headers: auth })).json()).toMatchObject({ status: 'waitlisted', registration: { email: 'walt@example.org' } });

    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/gdpr/participants/${erin.id}?erase=maybe`, headers: auth })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/gdpr/participants/${erin.id}?erase=true`, headers: auth })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/events/gdpr/participants/${erin.id}/export`, headers: auth })).statusCode).toBe(404);
    const store = createRegistrationStore(t.deps.redis, t.deps.keys);
    expect(await store.profile('gdpr', erin.id)).toBeUndefined();
    expect(await t.deps.participantStore.lookup('gdpr', erin.id)).toBe('revoked');
    // Her place went to Walt; erasing a waitlisted person works the same way.
    expect((await listParticipants(t.app, 'gdpr')).participants.map((p) => [p.email, p.status])).toEqual([['walt@example.org', 'registered']]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/gdpr/participants/${walt.id}?erase=true`, headers: auth })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/gdpr/participants/${walt.id}?erase=true`, headers: auth })).statusCode).toBe(404);
    // Nothing with their names or addresses is left under the event's keys.
    const keys = await t.deps.redis.keys(`${t.prefix}:event:gdpr:*`);
    for (const k of keys) {
      const type = await t.deps.redis.type(k);
      const dump = type === 'hash' ? JSON.stringify(await t.deps.redis.hgetall(k)) : type === 'string' ? String(await t.deps.redis.get(k)) : '';
      expect(dump, k).not.toMatch(/erin@example\.org|walt@example\.org/i);
    }
  });
});
