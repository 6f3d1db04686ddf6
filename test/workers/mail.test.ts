import ical, { type VEvent } from 'node-ical';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtpServer, type FakeSmtpServer, type ReceivedMail } from '../fakes/smtp-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';

/**
 * Participant mail end to end: the API plans, the worker renders and sends over real SMTP to a real server
 * (smtp-server + mailparser on loopback), and what arrives is checked as a mail client would read it.
 */
const MAIL_FROM = '"HRGL Academy" <academy@hrgl.example>';
let smtp: FakeSmtpServer;
let s: Stack | undefined;

// 2030-06-03 09:00 Vienna is 07:00Z; the conference day is 2030-06-04.
const programme = (id: string, extra: Record<string, unknown> = {}, firstStart = '09:00') => ({
  id,
  title: 'Mail test 2030',
  timezone: 'Europe/Vienna',
  language: 'en',
  ...extra,
  days: [
    { date: '2030-06-03', kind: 'academy', title: 'Academy day', sessions: [{ id: 'a1', title: 'Opening', start: firstStart, end: '10:30' }] },
    {
      date: '2030-06-04',
      kind: 'conference',
      title: 'Conference',
      sessions: [{ id: 'c1', title: 'High-level opening', start: '10:00', end: '11:00' }],
      interpretation: { languages: ['en', 'de', 'fr', 'es'], interpreters: [] },
    },
  ],
});

async function stack(clockAt: string, env: Record<string, string> = {}): Promise<Stack> {
  s = await startStack({ worker: true, clock: new TestClock(clockAt, true), env: { SMTP_URL: smtp.url, MAIL_FROM, MAIL_UPDATE_DELAY_SECONDS: '2', ...env } });
  return s;
}
const put = (id: string, body: unknown) => s!.app.inject({ method: 'PUT', url: `/api/v1/events/${id}`, headers: auth, payload: body as object });
const add = (id: string, participants: unknown[], notify?: boolean) =>
  s!.app.inject({ method: 'POST', url: `/api/v1/events/${id}/participants`, headers: auth, payload: { participants, ...(notify === undefined ? {} : { notify }) } });
const messages = async (id: string, query = '') => (await s!.app.inject({ method: 'GET', url: `/api/v1/events/${id}/messages${query}`, headers: auth })).json().messages as Array<Record<string, unknown>>;
const header = (mail: ReceivedMail, name: string) => {
  const value = mail.parsed.headers.get(name);
  return typeof value === 'string' ? value : JSON.stringify(value);
};
const to = (mail: ReceivedMail) => mail.envelope.to[0];

beforeAll(async () => {
  smtp = await startFakeSmtpServer();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});
afterAll(async () => smtp?.close());

describe('invitations', () => {
  it('sends each new participant one invitation in their language, with both parts, the link and the calendar', { timeout: 30_000 }, async () => {
    await stack('2030-06-01T08:00:00Z');
    const before = smtp.messages.length;
    expect((await put('inv', programme('inv'))).statusCode).toBe(201);
    const res = await add('inv', [
      { name: 'Ana <b>Example</b>', email: 'ana@example.org' },
      { name: 'Bernd Beispiel', email: 'bernd@example.org', language: 'de-AT' },
    ]);
    expect(res.statusCode).toBe(201);
    const [ana, bernd] = res.json().participants as Array<{ id: string; links: { page: string } }>;
    const mails = (await smtp.waitForMessages(before + 2, 20_000)).slice(before);
    const byTo = new Map(mails.map((m) => [to(m), m]));
    const en = byTo.get('ana@example.org')!;
    const de = byTo.get('bernd@example.org')!;

    expect(en.envelope.from).toBe('academy@hrgl.example');
    expect(header(en, 'content-language')).toBe('en');
    expect(header(de, 'content-language')).toBe('de');
    expect(header(en, 'auto-submitted')).toBe('auto-generated');
    expect(header(en, 'message-id')).toMatch(/^<.+@hrgl\.example>$/);
    expect(en.parsed.subject).toContain('Mail test 2030');
    expect(en.parsed.text).toContain(ana!.links.page);
    expect(String(en.parsed.html)).toContain(ana!.links.page);
    expect(String(en.parsed.html)).not.toContain('<b>Example</b>');
    expect(de.parsed.text).toContain(bernd!.links.page);
    expect(de.parsed.text).not.toBe(en.parsed.text?.replace(ana!.links.page, bernd!.links.page));
    for (const mail of mails) {
      expect(mail.raw).not.toMatch(/bigbluebutton\/api|zoom\.us\/w\/|checksum=/);
      const calendar = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
      expect(calendar, 'calendar part').toBeDefined();
      const events = Object.values(ical.sync.parseICS(calendar!.content.toString('utf8'))).filter((c): c is VEvent => c?.type === 'VEVENT');
      expect(events.map((e) => e.summary).sort()).toEqual(['High-level opening', 'Opening']);
    }

    await expect.poll(async () => (await messages('inv', '?kind=invitation')).map((m) => m.status), { timeout: 10_000 }).toEqual(['sent', 'sent']);
    const metrics = (await s!.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/mail_messages_total\{kind="invitation",status="queued"\} 2/);
    expect(metrics).toMatch(/mail_messages_total\{kind="invitation",status="sent"\} 2/);
    // The same person again, and a notify:false addition: no more invitations.
    await add('inv', [{ name: 'Ana Example', email: 'ANA@example.org' }]);
    await add('inv', [{ name: 'Carla Quiet', email: 'carla@example.org' }], false);
    expect((await messages('inv', '?kind=invitation')).length).toBe(2);

    const resent = await s!.app.inject({ method: 'POST', url: `/api/v1/events/inv/participants/${ana!.id}/invitation`, headers: auth });
    expect(resent.statusCode).toBe(202);
    const again = (await smtp.waitForMessages(before + 3, 20_000)).slice(before + 2);
    // The second addition updated Ana's address as she typed it; the invitation goes there.
    expect(to(again[0]!)?.toLowerCase()).toBe('ana@example.org');
    expect(header(again[0]!, 'message-id')).not.toBe(header(en, 'message-id'));
    expect((await s!.app.inject({ method: 'POST', url: '/api/v1/events/inv/participants/p-000000000000/invitation', headers: auth })).statusCode).toBe(404);
  });

  it('retries a 4xx with the same Message-ID and records a 5xx as failed with the reply', { timeout: 60_000 }, async () => {
    await stack('2030-06-01T08:00:00Z');
    await put('flaky', programme('flaky'));
    const before = smtp.messages.length;
    smtp.failNext(1, { stage: 'rcpt', code: 451, message: 'Greylisted, try again later' });
    await add('flaky', [{ name: 'Grey Listed', email: 'grey@example.org' }]);
    await expect.poll(async () => (await messages('flaky', '?kind=invitation'))[0]?.error, { timeout: 10_000 }).toMatch(/Greylisted/);
    const [arrived] = (await smtp.waitForMessages(before + 1, 40_000)).slice(before);
    expect(to(arrived!)).toBe('grey@example.org');
    await expect.poll(async () => (await messages('flaky', '?kind=invitation'))[0], { timeout: 10_000 }).toMatchObject({ status: 'sent', attempts: 2 });

    smtp.failNext(1, { stage: 'rcpt', code: 550, message: '<nobody@example.org>: Recipient address rejected: No such user here' });
    await add('flaky', [{ name: 'No Body', email: 'nobody@example.org' }]);
    await expect.poll(async () => (await messages('flaky', '?status=failed')).map((m) => m.error), { timeout: 10_000 }).toEqual([expect.stringMatching(/550.*nobody@example\.org.*No such user/)]);
    const failed = (await messages('flaky', '?status=failed'))[0]!;
    expect(failed.attempts).toBe(1);
    // The organizer sees the reply; the log names the participant by id only.
    expect(s!.logs.join('')).toContain('mail failed');
    expect(s!.logs.join('')).not.toMatch(/nobody@example\.org|grey@example\.org/);
  });

  it('records every message as skipped without SMTP_URL, and keeps working', { timeout: 30_000 }, async () => {
    s = await startStack({ worker: true, clock: new TestClock('2030-06-01T08:00:00Z', true) });
    await put('nosmtp', programme('nosmtp'));
    expect((await add('nosmtp', [{ name: 'Solo', email: 'solo@example.org' }])).statusCode).toBe(201);
    await expect.poll(async () => (await messages('nosmtp', '?kind=invitation')).map((m) => [m.status, m.error]), { timeout: 10_000 }).toEqual([
      ['skipped', expect.stringMatching(/SMTP_URL/)],
    ]);
  });
});

describe('reminders and change notices', () => {
  it('reminds before the first session with one-click unsubscribe, and a POST there stops the next one', { timeout: 40_000 }, async () => {
    // The 60-minute reminder of 3 June falls due 3 s after the clock's start; the 1440 one is long past.
    await stack('2030-06-03T05:59:57Z');
    await put('rem', programme('rem'));
    const res = await add('rem', [{ name: 'Rhea Reminded', email: 'rhea@example.org' }], false);
    const page = (res.json().participants[0] as { links: { page: string } }).links.page;
    const before = smtp.messages.length;
    const [mail] = (await smtp.waitForMessages(before + 1, 20_000)).slice(before);
    expect(to(mail!)).toBe('rhea@example.org');
    expect(mail!.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail!.raw.replace(/\r\n[ \t]+/g, ' ')).toContain(`List-Unsubscribe: <${page}/unsubscribe>`);
    expect(mail!.parsed.text).toContain(page);
    expect(mail!.parsed.attachments.length).toBe(0);

    const path = new URL(page).pathname;
    const preview = await s!.app.inject({ method: 'GET', url: `${path}/unsubscribe` });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain(`action="${path}/unsubscribe"`);
    const off = await s!.app.inject({ method: 'POST', url: `${path}/unsubscribe`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(off.statusCode).toBe(200);
    expect(off.body).toContain('<html lang="en">');
    // The conference day's reminders are withdrawn once the programme is planned again, and skipped if they were due.
    await put('rem', programme('rem', { title: 'Mail test 2030 (renamed)' }));
    await expect.poll(async () => (await messages('rem', '?kind=reminder')).filter((m) => m.status === 'queued').length, { timeout: 10_000 }).toBe(0);
  });

  it('folds programme changes within the delay into one notice with old and new times', { timeout: 40_000 }, async () => {
    // A delay that outlasts the two planning jobs even on a loaded machine.
    await stack('2030-06-01T08:00:00Z', { MAIL_UPDATE_DELAY_SECONDS: '6' });
    await put('upd', programme('upd'));
    await add('upd', [{ name: 'Uma Updated', email: 'uma@example.org' }], false);
    // The planner records what participants know; the changes below are measured against it.
    await expect.poll(async () => (await messages('upd', '?kind=reminder')).length, { timeout: 10_000 }).toBe(4);
    const before = smtp.messages.length;
    await put('upd', programme('upd', {}, '09:30'));
    await put('upd', programme('upd', {}, '10:00'));
    const [notice] = (await smtp.waitForMessages(before + 1, 20_000)).slice(before);
    expect(to(notice!)).toBe('uma@example.org');
    expect(notice!.parsed.text).toMatch(/09:00/);
    expect(notice!.parsed.text).toMatch(/10:00/);
    expect(notice!.parsed.text).not.toMatch(/09:30/);
    expect(notice!.parsed.attachments.some((a) => a.contentType === 'text/calendar')).toBe(true);
    await expect.poll(async () => (await messages('upd', '?kind=update')).map((m) => m.status), { timeout: 10_000 }).toEqual(['sent']);
  });

  it('withdraws a removed participant’s pending messages', { timeout: 30_000 }, async () => {
    await stack('2030-06-01T08:00:00Z');
    await put('gone', programme('gone'));
    const res = await add('gone', [{ name: 'Gina Gone', email: 'gina@example.org' }], false);
    const id = (res.json().participants[0] as { id: string }).id;
    await expect.poll(async () => (await messages('gone', '?status=queued')).length, { timeout: 10_000 }).toBe(4);
    expect((await s!.app.inject({ method: 'DELETE', url: `/api/v1/events/gone/participants/${id}`, headers: auth })).statusCode).toBe(204);
    expect((await messages('gone', '?status=queued')).length).toBe(0);
    expect((await messages('gone', `?participantId=${id}`)).every((m) => m.status === 'skipped')).toBe(true);
  });
});
