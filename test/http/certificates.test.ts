import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server.js';
import { addParticipants, minutes, put } from '../helpers/attendance-fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';

/**
 * The report and certificates after an event: presence seeded as BigBlueButton's callback would store it, the
 * report as JSON and CSV, certificates issued by the worker and mailed over SMTP, the PDF read back with a PDF
 * parser, the public verification page, and a removed participant whose certificate stops verifying.
 */
const ROOM = 'bbb-2030-06-03';
// 2030-06-03 in Vienna (UTC+2): s1 09:00–10:00 = 07:00–08:00Z, s2 10:30–11:30 = 08:30–09:30Z; 120 minutes in all.
const programme = {
  id: 'cert',
  title: 'Human Rights Go Local – Academy 2030',
  timezone: 'Europe/Vienna',
  certificate: { minimumPercent: 75, organizer: 'International Centre for the Promotion of Human Rights (UNESCO)' },
  days: [
    {
      date: '2030-06-03',
      kind: 'academy',
      title: 'Academy day',
      sessions: [
        { id: 's1', title: 'Opening', start: '09:00', end: '10:00' },
        { id: 's2', title: 'Workshop', start: '10:30', end: '11:30' },
      ],
    },
  ],
};
const S1 = Date.parse('2030-06-03T07:00:00Z');
const S2 = Date.parse('2030-06-03T08:30:00Z');

// During the event when the programme is stored (so the scheduled issue waits), after it once presence is in.
const clock = new TestClock('2030-06-03T09:00:00Z', true);
let smtp: FakeSmtpServer;
let s: Stack;
let people: Awaited<ReturnType<typeof addParticipants>>;

async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const page = await doc.getPage(1);
  const content = await page.getTextContent();
  return content.items.map((item) => ('str' in item ? item.str : '')).join('');
}

const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });
const path = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  smtp = await startFakeSmtpServer();
  s = await startStack({ worker: true, clock, env: { SMTP_URL: smtp.url, MAIL_FROM: '"Academy" <academy@hrgl.example>' } });
  expect((await put(s, programme)).statusCode).toBe(201);
  people = await addParticipants(s, 'cert', [
    { name: 'Łukasz Ōtomo-Ñúñez', email: 'lukasz@example.org', language: 'de' },
    { name: 'Алёна Смирнова', email: 'alena@example.org' },
    { name: '李 Wei Ἀλέξανδρος', email: 'li@example.org', language: 'fr' },
    { name: '=HYPERLINK("http://evil.example","click")', email: 'formula@example.org' },
  ]);
  const [lukasz, alena, li] = people;
  // Exactly 75 % (90 of 120 minutes), a millisecond short of it, and everything.
  await s.deps.stores.presence.saveExact(
    'cert',
    ROOM,
    'meeting-1',
    new Map([
      [lukasz!.id, [{ start: S1 - minutes(10), end: S1 + minutes(60) }, { start: S2, end: S2 + minutes(30) }]],
      [alena!.id, [{ start: S1, end: S1 + minutes(60) }, { start: S2, end: S2 + minutes(30) - 1 }]],
      [li!.id, [{ start: S1, end: S2 + minutes(60) }]],
    ]),
    new Date(),
  );
  clock.set('2030-06-03T12:00:00Z');
}, 30_000);
afterAll(async () => {
  await s?.close();
  await smtp?.close();
});

describe('attendance report', () => {
  it('answers JSON per participant with eligibility at the threshold edges', async () => {
    const res = await get('/api/v1/events/cert/attendance', auth);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ requiredMinutes: 120, minimumPercent: 75, days: ['2030-06-03'] });
    const byName = new Map(report.participants.map((p: { name: string }) => [p.name, p]));
    expect(byName.get('Łukasz Ōtomo-Ñúñez')).toMatchObject({ minutes: 90, days: [{ date: '2030-06-03', minutes: 90 }], sessions: [{ id: 's1', minutes: 60 }, { id: 's2', minutes: 30 }], certificate: { eligible: true } });
    expect(byName.get('Алёна Смирнова')).toMatchObject({ minutes: 89, certificate: { eligible: false } });
    expect(byName.get('李 Wei Ἀλέξανδρος')).toMatchObject({ minutes: 120, certificate: { eligible: true } });
    expect(byName.get('=HYPERLINK("http://evil.example","click")')).toMatchObject({ minutes: 0, certificate: { eligible: false } });
    expect((await get('/api/v1/events/nope/attendance', auth)).statusCode).toBe(404);
    expect((await get('/api/v1/events/cert/attendance')).statusCode).toBe(401);
  });

  it('streams the same as CSV, safe to open in a spreadsheet', async () => {
    const res = await get('/api/v1/events/cert/attendance', { ...auth, accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="attendance-cert.csv"');
    const [header, ...rows] = res.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(header).toBe('participant_id,name,email,total_minutes,day_2030-06-03_minutes,session_s1_minutes,session_s2_minutes,certificate_eligible,certificate_url');
    expect(rows).toHaveLength(4);
    expect(rows).toContain(`${people[3]!.id},"'=HYPERLINK(""http://evil.example"",""click"")",formula@example.org,0,0,0,0,false,`);
    expect(rows).toContain(`${people[0]!.id},Łukasz Ōtomo-Ñúñez,lukasz@example.org,90,90,60,30,true,`);
  });
});

describe('certificates', () => {
  const codes = new Map<string, string>();

  it('issues them on request to everyone eligible, once, and mails each new one', { timeout: 40_000 }, async () => {
    const before = smtp.messages.length;
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/events/cert/certificates', headers: auth })).statusCode).toBe(202);
    await expect.poll(async () => (await s.deps.stores.certificates.list('cert')).size, { timeout: 15_000 }).toBe(2);
    const issued = await s.deps.stores.certificates.list('cert');
    expect([...issued.keys()].sort()).toEqual([people[0]!.id, people[2]!.id].sort());
    for (const [id, record] of issued) codes.set(id, record.code);
    const mails = (await smtp.waitForMessages(before + 2, 20_000)).slice(before);
    const lukaszMail = mails.find((m) => m.envelope.to[0] === 'lukasz@example.org')!;
    expect(lukaszMail.parsed.subject).toBe('Ihre Teilnahmebestätigung: Human Rights Go Local – Academy 2030');
    expect(lukaszMail.parsed.text).toContain(`${people[0]!.links.page}/certificate.pdf`);
    expect(lukaszMail.parsed.text).toContain('1,5 Stunden');

    // Asked again: the same codes, no second mail.
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/events/cert/certificates', headers: auth })).statusCode).toBe(202);
    await expect.poll(async () => (await s.app.inject({ method: 'GET', url: '/api/v1/events/cert/messages?kind=certificate', headers: auth })).json().messages.length, { timeout: 5000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(new Map([...(await s.deps.stores.certificates.list('cert'))].map(([id, r]) => [id, r.code]))).toEqual(codes);
    expect(smtp.messages.length).toBe(before + 2);
    const report = (await get('/api/v1/events/cert/attendance', auth)).json();
    expect(report.participants.find((p: { id: string }) => p.id === people[0]!.id).certificate).toEqual({ eligible: true, url: `http://links.test/verify/${codes.get(people[0]!.id)}` });
  });

  it('serves the PDF in the participant’s language with their name in any script, the code and its URL', { timeout: 20_000 }, async () => {
    const lukasz = await get(`${path(people[0]!.links.page)}/certificate.pdf`);
    expect(lukasz.statusCode).toBe(200);
    expect(lukasz.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(lukasz.rawPayload);
    const code = codes.get(people[0]!.id)!;
    expect(text).toContain('Teilnahmebestätigung');
    expect(text).toContain('Łukasz Ōtomo-Ñúñez');
    expect(text).toContain('Human Rights Go Local – Academy 2030');
    expect(text).toContain('3. Juni 2030');
    expect(text).toContain('1,5 Stunden Anwesenheit');
    expect(text).toContain('International Centre for the Promotion of Human Rights (UNESCO)');
    expect(text).toContain(code);
    expect(text).toContain(`http://links.test/verify/${code}`);

    const li = await get(`${path(people[2]!.links.page)}/certificate.pdf`);
    const liText = await pdfText(li.rawPayload);
    expect(liText).toContain('Attestation de participation');
    expect(liText).toContain('李 Wei Ἀλέξανδρος');
    expect(liText).toContain('2 heures de présence');
    // A4 landscape.
    const doc = await getDocument({ data: new Uint8Array(li.rawPayload), isEvalSupported: false }).promise;
    const [, , width, height] = (await doc.getPage(1)).view;
    expect([Math.round(width!), Math.round(height!)]).toEqual([842, 595]);
  });

  it('says why there is none: below the threshold, in the participant’s language', async () => {
    const res = await get(`${path(people[1]!.links.page)}/certificate.pdf`);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('75 %');
    expect((await get(`${path(people[1]!.links.page)}x/certificate.pdf`)).statusCode).toBe(403);
  });

  it('shows attendance and the certificate link on the personal pages', async () => {
    const page = await get(path(people[0]!.links.page));
    expect(page.body).toContain(`${path(people[0]!.links.page)}/attendance`);
    const attendance = await get(`${path(people[0]!.links.page)}/attendance`);
    expect(attendance.statusCode).toBe(200);
    expect(attendance.body).toContain('<html lang="de">');
    expect(attendance.body).toContain('Sie waren 90 von 120 Minuten anwesend.');
    expect(attendance.body).toContain(`href="${path(people[0]!.links.page)}/certificate.pdf"`);
  });

  it('verifies publicly with the certificate’s facts only, and stops once the participant is removed', async () => {
    const code = codes.get(people[0]!.id)!;
    const page = await get(`/verify/${code}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="de">');
    expect(page.body).toContain('Gültige Teilnahmebestätigung');
    expect(page.body).toContain('Łukasz Ōtomo-Ñúñez');
    expect(page.body).toContain('Human Rights Go Local – Academy 2030');
    expect(page.body).toContain('1,5');
    expect(page.body).not.toContain('lukasz@example.org');
    expect((await get(`/verify/${code.toLowerCase().replace(/-/g, '')}`)).statusCode).toBe(200);
    expect((await get('/verify/00000-00000-00000-00000')).statusCode).toBe(404);
    expect((await get('/verify/not-a-code')).statusCode).toBe(404);

    expect((await s.app.inject({ method: 'DELETE', url: `/api/v1/events/cert/participants/${people[0]!.id}`, headers: auth })).statusCode).toBe(204);
    expect((await get(`/verify/${code}`)).statusCode).toBe(404);
    expect((await get(`${path(people[0]!.links.page)}/certificate.pdf`)).statusCode).toBe(410);
    expect((await get(`/verify/${codes.get(people[2]!.id)}`)).statusCode).toBe(200);
  });

  it('refuses to issue for a programme without certificates', async () => {
    const { certificate: _none, ...plain } = programme;
    expect((await put(s, { ...plain, id: 'plain' })).statusCode).toBe(201);
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/plain/certificates', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('certificate');
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/events/nope/certificates', headers: auth })).statusCode).toBe(404);
  });

  it('gives the organizer a moderator join into a BigBlueButton room', async () => {
    const res = await s.app.inject({ method: 'POST', url: `/api/v1/events/cert/rooms/${ROOM}/host-link`, headers: auth });
    expect(res.statusCode).toBe(200);
    const url = new URL(res.json().url);
    expect(url.pathname).toBe('/bigbluebutton/api/join');
    expect(url.searchParams.get('role')).toBe('MODERATOR');
    expect(url.searchParams.get('meetingID')).toBe(`cert--${ROOM}`);
    const landed = await fetch(url, { redirect: 'manual' });
    expect(landed.status).toBe(302);
    expect(s.bbb.meetings.get(`cert--${ROOM}`)?.attendees.map((a) => a.role)).toEqual(['MODERATOR']);
  });
});
