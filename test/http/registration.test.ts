import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signConfirmToken } from '../../src/domain/confirm-token.js';
import { redactUrl } from '../../src/http/request-log.js';
import { createRegistrationStore } from '../../src/store/registration-store.js';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import { SIGNING_KEY } from '../helpers/test-config.js';
import { FORM_HEADERS, form, formTokenOf, listParticipants, nextClient, pressButton, register, registrationProgramme } from '../helpers/registration-flow.js';

const key = { id: SIGNING_KEY.split(':')[0]!, secret: SIGNING_KEY.slice(SIGNING_KEY.indexOf(':') + 1) };
const clock = new TestClock('2030-05-01T08:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t?.close());

const put = async (body: object) => expect((await t.app.inject({ method: 'PUT', url: `/api/v1/events/${(body as { id: string }).id}`, headers: auth, payload: body })).statusCode).toBeLessThan(300);
const messages = async (eventId: string, query = '') =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/events/${eventId}/messages${query}`, headers: auth })).json().messages as Array<{ id: string; participantId: string; kind: string }>;

/** The confirmation link the mail would carry, rebuilt from the stored pending registration. */
async function confirmPath(eventId: string, email: string): Promise<string> {
  const store = createRegistrationStore(t.deps.redis, t.deps.keys);
  for (const m of (await messages(eventId, '?kind=confirmation')).reverse()) {
    const pending = await store.pending(eventId, m.participantId);
    if (pending?.email === email) return `/e/${eventId}/confirm/${signConfirmToken({ eventId, registrationId: pending.id, expiresAt: new Date(pending.expiresAt) }, key)}`;
  }
  throw new Error(`no confirmation for ${email}`);
}

describe('the registration form', () => {
  beforeAll(async () => {
    await put(registrationProgramme('form', { open: true, privacyUrl: 'https://organizer.example.org/privacy' }, { language: 'de' }));
    await put(registrationProgramme('shut', { open: false }));
    await put(registrationProgramme('late', { open: true, closesAt: '2030-04-30T23:00' }));
    await put(registrationProgramme('none', null));
  });

  it('is an HTML form in the browser language, else the programme language, with <html lang> and the fields', async () => {
    const fr = await t.app.inject({ method: 'GET', url: '/e/form/register', headers: { 'accept-language': 'it, fr-CH;q=0.8, en;q=0.5' } });
    expect(fr.statusCode).toBe(200);
    expect(fr.headers['content-type']).toContain('text/html');
    expect(fr.headers['content-language']).toBe('fr');
    expect(fr.body).toMatch(/^<!doctype html>\n<html lang="fr">/);
    for (const name of ['name', 'email', 'organisation', 'language', 'consent']) expect(fr.body).toContain(`name="${name}"`);
    expect(fr.body).toContain('action="/e/form/register"');
    expect(fr.body).toContain('href="https://organizer.example.org/privacy"');
    expect(fr.body).toContain('Registration test 2030');
    expect(fr.body).toMatch(/3.{1,3}5 juin 2030/);
    expect(fr.body).toContain('Opera');
    const de = await t.app.inject({ method: 'GET', url: '/e/form/register' });
    expect(de.body).toMatch(/<html lang="de">/);
    expect((await t.app.inject({ method: 'GET', url: '/e/form/register?lang=es', headers: { 'accept-language': 'fr' } })).body).toMatch(/<html lang="es">/);
    // The strict CSP holds: no inline script or style on the page.
    expect(fr.headers['content-security-policy']).toContain("form-action 'self'");
    expect(fr.body).not.toMatch(/<script>|style="/);
  });

  it('answers 404 for an unknown event and 410 when closed, past closesAt or never offered', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/e/nope/register' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/e/Not_An_Id/register' })).statusCode).toBe(404);
    for (const id of ['shut', 'late', 'none']) {
      const res = await t.app.inject({ method: 'GET', url: `/e/${id}/register` });
      expect(res.statusCode, id).toBe(410);
      expect(res.body).toMatch(/<html lang="en">/);
      expect((await register(t.app, id, { email: `x-${id}@example.org` })).statusCode, id).toBe(410);
    }
  });

  it('re-renders the form with the values kept and each wrong field named, in the language chosen', async () => {
    const res = await register(t.app, 'form', { name: '  ', email: 'not-an-address', organisation: 'Städtische <Menschenrechte>', language: 'de', consent: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/<html lang="de">/);
    expect(res.body).toContain('class="error-summary"');
    expect(res.body).toContain('<a href="#name">');
    expect(res.body).toContain('<a href="#email">');
    expect(res.body).toContain('<a href="#consent">');
    expect(res.body).not.toContain('<a href="#organisation">');
    expect(res.body).toContain('value="not-an-address"');
    expect(res.body).toContain('value="Städtische &lt;Menschenrechte&gt;"');
    expect(res.body).toMatch(/id="email"[^>]*aria-describedby="email-hint email-error"[^>]*aria-invalid="true"/);
    expect(res.body).toContain('<option value="de" lang="de" selected>');
    expect(await messages('form')).toEqual([]);
  });

  it('refuses bodies that are not small forms', async () => {
    const big = await t.app.inject({ method: 'POST', url: '/e/form/register', headers: FORM_HEADERS, payload: form({ name: 'x'.repeat(10_000), email: 'big@example.org' }) });
    expect(big.statusCode).toBe(413);
    // Not a form at all: the form comes back asking for every field, and nothing is sent.
    const json = await t.app.inject({ method: 'POST', url: '/e/form/register', headers: { 'content-type': 'application/json' }, payload: { name: 'x' } });
    expect(json.statusCode).toBe(400);
    expect(await messages('form')).toEqual([]);
  });
});

describe('double opt-in', () => {
  beforeAll(async () => put(registrationProgramme('optin', { open: true })));

  it('answers the same 303 for a new and a known address, and nothing is created before the link is confirmed', async () => {
    const first = await register(t.app, 'optin', { email: 'Nina@Example.org', name: 'Nina Neu', language: 'fr' });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/e/optin/register/sent?lang=fr');
    expect((await listParticipants(t.app, 'optin')).participants).toEqual([]);
    const sent = await t.app.inject({ method: 'GET', url: first.headers.location as string });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toMatch(/<html lang="fr">/);

    const path = await confirmPath('optin', 'Nina@Example.org');
    // The confirmation token is a credential for 48 hours: the access log does not carry it.
    expect(redactUrl(path)).toBe('/e/optin/confirm/[token]');
    // A GET (a mail scanner following the link) only shows the button.
    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<html lang="fr">/);
    expect(page.body).toContain('Nina Neu');
    expect(page.body).toMatch(/<form method="post" action="\/e\/optin\/confirm\/[^"]+">/);
    expect((await listParticipants(t.app, 'optin')).participants).toEqual([]);

    const confirmed = await pressButton(t.app, path);
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toMatch(/^http:\/\/links\.test\/p\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const { participants } = await listParticipants(t.app, 'optin');
    expect(participants).toEqual([{ id: expect.stringMatching(/^p-[a-z0-9]{12}$/), email: 'Nina@Example.org', name: 'Nina Neu', role: 'participant', status: 'registered' }]);
    expect((await t.deps.participantStore.get('optin', participants[0]!.id))?.language).toBe('fr');
    const consent = await createRegistrationStore(t.deps.redis, t.deps.keys).profile('optin', participants[0]!.id);
    expect(consent?.consent).toMatchObject({ language: 'fr', version: expect.stringMatching(/^[0-9a-f]{16}$/), at: '2030-05-01T08:00:00.000Z' });
    expect(consent?.consent.text).toContain('Registration test 2030');

    // Confirming again is harmless: the same personal page.
    const again = await pressButton(t.app, path);
    expect(again.headers.location).toBe(confirmed.headers.location);
    expect((await listParticipants(t.app, 'optin')).participants).toHaveLength(1);

  });

  it('sends a known address its invitation again instead of a confirmation, with the same answer', async () => {
    const added = await t.app.inject({ method: 'POST', url: '/api/v1/events/optin/participants', headers: auth, payload: { participants: [{ name: 'Mo Derator', email: 'mo@example.org', role: 'moderator' }], notify: false } });
    const mo = added.json().participants[0] as { id: string };
    const before = (await messages('optin', '?kind=confirmation')).length;
    const known = await register(t.app, 'optin', { email: 'MO@example.org', name: 'Someone Else' });
    expect(known.statusCode).toBe(303);
    expect(known.headers.location).toBe('/e/optin/register/sent?lang=en');
    expect((await messages('optin', '?kind=confirmation')).length).toBe(before);
    expect((await messages('optin', `?participantId=${mo.id}&kind=invitation`)).map((m) => m.id)).toEqual([`inv:${mo.id}:2`]);
    // Nothing about the person changes by a form anyone can fill in.
    expect(await t.deps.participantStore.get('optin', mo.id)).toMatchObject({ name: 'Mo Derator', role: 'moderator' });
  });

  it('tells a tampered link from an expired one, and refuses a personal link as a confirmation', async () => {
    await register(t.app, 'optin', { email: 'old@example.org' });
    const path = await confirmPath('optin', 'old@example.org');
    const tampered = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await t.app.inject({ method: 'GET', url: tampered })).statusCode).toBe(403);
    expect((await pressButton(t.app, tampered)).statusCode).toBe(403);
    const personal = (await t.app.inject({ method: 'POST', url: '/api/v1/events/optin/participants', headers: auth, payload: { participants: [{ name: 'P', email: 'p@example.org' }], notify: false } })).json().participants[0].links.page as string;
    expect((await t.app.inject({ method: 'GET', url: `/e/optin/confirm/${personal.split('/p/')[1]}` })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: path.replace('/e/optin/', '/e/form/') })).statusCode).toBe(403);

    clock.advance(48 * 3600_000);
    try {
      const expired = await t.app.inject({ method: 'GET', url: path });
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain('href="/e/optin/register"');
      expect((await pressButton(t.app, path)).statusCode).toBe(410);
    } finally {
      clock.advance(-48 * 3600_000);
    }
    expect((await listParticipants(t.app, 'optin')).participants.map((p) => p.email)).not.toContain('old@example.org');
  });

  it('needs the form token of its own page: a cross-site post or one without the cookie registers nobody', async () => {
    await register(t.app, 'optin', { email: 'csrf@example.org' });
    const path = await confirmPath('optin', 'csrf@example.org');
    const page = await t.app.inject({ method: 'GET', url: path });
    const { cookie, token } = formTokenOf(page);
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const noCookie = await t.app.inject({ method: 'POST', url: path, headers: FORM_HEADERS, payload: form({ form: token }) });
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.body).toContain('name="form"');
    const crossSite = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM_HEADERS, cookie, 'sec-fetch-site': 'cross-site' }, payload: form({ form: token }) });
    expect(crossSite.statusCode).toBe(403);
    const wrong = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM_HEADERS, cookie }, payload: form({ form: 'x'.repeat(22) }) });
    expect(wrong.statusCode).toBe(403);
    expect((await listParticipants(t.app, 'optin')).participants.map((p) => p.email)).not.toContain('csrf@example.org');
    const ok = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM_HEADERS, cookie }, payload: form({ form: token }) });
    expect(ok.statusCode).toBe(303);
  });
});

describe('abuse', () => {
  beforeAll(async () => put(registrationProgramme('abuse', { open: true })));

  it('answers a repeated POST for one address with 429 and Retry-After, whoever sends it', async () => {
    expect((await register(t.app, 'abuse', { email: 'again@example.org' })).statusCode).toBe(303);
    const second = await register(t.app, 'abuse', { email: 'AGAIN@example.org ' });
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    expect(second.body).toMatch(/<html lang="en">/);
    expect((await messages('abuse', '?kind=confirmation')).length).toBe(1);
  });

  it('limits one client to 20 registrations in a window, whatever the addresses', async () => {
    const client = nextClient();
    const codes: number[] = [];
    for (let i = 0; i < 22; i++) codes.push((await register(t.app, 'abuse', { email: `bulk-${i}@example.org` }, client)).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 303)).toBe(true);
    expect(codes.slice(20)).toEqual([429, 429]);
  });

  it('answers a filled honeypot like any other registration, and sends nothing', async () => {
    const before = (await messages('abuse')).length;
    const res = await register(t.app, 'abuse', { email: 'bot@example.org', website: 'http://spam.example' });
    expect(res.statusCode).toBe(303);
    expect((await messages('abuse')).length).toBe(before);
  });
});
