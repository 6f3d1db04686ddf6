import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../helpers/test-clock.js';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';

// Before the programme: every join is "too early", the page shows its reminders switch.
const clock = new TestClock('2031-03-01T08:00:00Z');
let t: TestApp;
const pages: Record<string, string> = {};

const programme = {
  id: 'lang-evt',
  title: 'Human Rights Go Local',
  timezone: 'Europe/Vienna',
  language: 'fr',
  days: [
    { date: '2031-03-03', kind: 'academy', title: 'Academy day 1', sessions: [{ id: 'a1', title: 'Opening', start: '09:00', end: '10:00' }] },
    { date: '2031-03-05', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Outcome', start: '14:00', end: '17:00' }] },
  ],
};

const path = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  t = await createTestApp({ clock });
  expect((await t.app.inject({ method: 'PUT', url: '/api/v1/events/lang-evt', headers: auth, payload: programme })).statusCode).toBe(201);
  const people = [
    { name: 'Dora Deutsch', email: 'dora@example.org', language: 'de-AT' },
    { name: 'Eli Español', email: 'eli@example.org', language: 'es' },
    // No language of their own: the programme's (French).
    { name: 'Fabien Faute', email: 'fabien@example.org' },
    // A language we do not speak: the programme's, French.
    { name: 'Ilka Italiano', email: 'ilka@example.org', language: 'it' },
  ];
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/events/lang-evt/participants', headers: auth, payload: { participants: people, notify: false } });
  expect(res.statusCode).toBe(201);
  for (const p of res.json().participants as Array<{ email: string; links: { page: string } }>) pages[p.email] = path(p.links.page);
});
afterAll(async () => t?.close());

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('the personal page speaks the participant’s language', () => {
  it('in German for de-AT: lang, Content-Language, texts, dates through Intl, the script’s texts', async () => {
    const res = await get(pages['dora@example.org']!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-language']).toBe('de');
    expect(res.body).toContain('<html lang="de">');
    expect(res.body).toContain('<h1>Ihr Programm</h1>');
    expect(res.body).toContain('Montag, 3. März 2031');
    expect(res.body).toContain('Öffnet um 08:45');
    expect(res.body).toContain('data-locale="de"');
    expect(res.body).toContain('data-t-join="Teilnehmen"');
    expect(res.body).not.toMatch(/Your programme|Opens at|Technical advice/);
  });

  it('in the programme’s language when the participant has none, or one we do not speak', async () => {
    for (const email of ['fabien@example.org', 'ilka@example.org']) {
      const res = await get(pages[email]!);
      expect(res.body).toContain('<html lang="fr">');
      expect(res.body).toContain('<h1>Votre programme</h1>');
      expect(res.body).toContain('lundi 3 mars 2031');
    }
  });

  it('has the reminders switch, which follows what the participant chose', async () => {
    const page = pages['eli@example.org']!;
    const before = (await get(page)).body;
    expect(before).toContain('data-reminders="on"');
    expect(before).toContain(`<form method="post" action="${page}/unsubscribe">`);
    expect((await t.app.inject({ method: 'POST', url: `${page}/unsubscribe` })).statusCode).toBe(200);
    const after = (await get(page)).body;
    expect(after).toContain('data-reminders="off"');
    expect(after).toContain(`<form method="post" action="${page}/reminders">`);
    expect((await t.app.inject({ method: 'POST', url: `${page}/reminders` })).statusCode).toBe(200);
    expect((await get(page)).body).toContain('data-reminders="on"');
  });

  it('writes the calendar feed in that language', async () => {
    const res = await get(`${pages['eli@example.org']!}/calendar.ics`);
    const events = Object.values(ical.sync.parseICS(res.body)).filter((c): c is VEvent => c?.type === 'VEVENT');
    const opening = events.find((e) => e.summary === 'Opening')!;
    expect(String(opening.location)).toBe('BigBlueButton (en línea)');
    expect(String(opening.description)).toMatch(/^Entrar: /m);
  });
});

describe('join pages in the participant’s language', () => {
  it('too early, in Spanish, with the opening time written in Spanish and a link back', async () => {
    const res = await get(`${pages['eli@example.org']!}/join/a1`);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-language']).toBe('es');
    expect(res.body).toContain('<html lang="es">');
    expect(res.body).toContain('«Opening» todavía no está abierta');
    expect(res.body).toContain('lunes, 3 de marzo de 2031');
    expect(res.body).toContain(`<a href="http://links.test${pages['eli@example.org']!}">`);
  });

  it('an unknown session, in German', async () => {
    const res = await get(`${pages['dora@example.org']!}/join/nope`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('<html lang="de">');
    expect(res.body).toContain('<h1>Diese Sitzung gibt es nicht</h1>');
  });
});

describe('pages for links that let nobody in', () => {
  const forged = () => `${pages['dora@example.org']!.slice(0, -3)}AAA`;

  it('speak the browser’s language, since the link tells nothing about its reader', async () => {
    const res = await get(forged(), { 'accept-language': 'fr-CH, de;q=0.8' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-language']).toBe('fr');
    expect(res.body).toContain('<html lang="fr">');
    expect(res.body).toContain('<h1>Ce lien n’est pas valide</h1>');
    const join = await get(`${forged()}/join/a1`, { 'accept-language': 'es' });
    expect(join.statusCode).toBe(403);
    expect(join.body).toContain('<html lang="es">');
  });

  it('fall back to English without an Accept-Language we speak', async () => {
    const res = await get(forged(), { 'accept-language': 'ja' });
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('<h1>This link is not valid</h1>');
  });

  it('a withdrawn registration answers 410 on every personal route, in the browser’s language', async () => {
    const added = await t.app.inject({ method: 'POST', url: '/api/v1/events/lang-evt/participants', headers: auth, payload: { participants: [{ name: 'Gone Soon', email: 'gone@example.org', language: 'de' }], notify: false } });
    const { id, links } = added.json().participants[0] as { id: string; links: { page: string } };
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/events/lang-evt/participants/${id}`, headers: auth })).statusCode).toBe(204);
    for (const suffix of ['', '/calendar.ics', '/join/a1', '/attendance', '/unsubscribe', '/cancel']) {
      const res = await get(`${path(links.page)}${suffix}`, { 'accept-language': 'de' });
      expect(res.statusCode, suffix).toBe(410);
      expect(res.body, suffix).toContain('<h1>Dieser Link wurde zurückgezogen</h1>');
    }
  });
});
