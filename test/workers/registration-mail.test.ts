import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtpServer, type FakeSmtpServer, type ReceivedMail } from '../fakes/smtp-server.js';
import { listParticipants, pressButton, register, registrationProgramme } from '../helpers/registration-flow.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';

/**
 * Self-registration end to end with a real SMTP server: the form, the confirmation mail and its link, the
 * confirm button, the invitation; the waitlist notice and the invitation that follows a freed place.
 */
const MAIL_FROM = '"HRGL Academy" <academy@hrgl.example>';
let smtp: FakeSmtpServer;
let s: Stack | undefined;

beforeAll(async () => {
  smtp = await startFakeSmtpServer();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});
afterAll(async () => smtp?.close());

const header = (mail: ReceivedMail, name: string) => String(mail.parsed.headers.get(name) ?? '');
const urls = (text: string) => [...text.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
async function nextMail(to: string, after: number): Promise<ReceivedMail> {
  for (let n = after + 1; ; n++) {
    const mails = await smtp.waitForMessages(n, 20_000);
    const found = mails.slice(after).find((m) => m.envelope.to.includes(to));
    if (found) return found;
  }
}

describe('self-registration by mail', () => {
  it('confirms by the mailed link, invites in the chosen language, waitlists beyond capacity and invites on a freed place', { timeout: 90_000 }, async () => {
    s = await startStack({ worker: true, clock: new TestClock('2030-05-01T08:00:00Z', true), env: { SMTP_URL: smtp.url, MAIL_FROM } });
    const put = await s.app.inject({ method: 'PUT', url: '/api/v1/events/selfreg', headers: auth, payload: registrationProgramme('selfreg', { open: true, capacity: 1 }) });
    expect(put.statusCode).toBe(201);

    let before = smtp.messages.length;
    expect((await register(s.app, 'selfreg', { name: 'Dana Deutsch', email: 'dana@example.org', language: 'de' })).statusCode).toBe(303);
    const confirmation = await nextMail('dana@example.org', before);
    expect(header(confirmation, 'content-language')).toBe('de');
    expect(confirmation.parsed.subject).toBe('Bitte bestätigen Sie Ihre Anmeldung: Registration test 2030');
    expect(confirmation.envelope.from).toBe('academy@hrgl.example');
    const links = [...new Set([...urls(confirmation.parsed.text ?? ''), ...urls(String(confirmation.parsed.html))])];
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^http:\/\/links\.test\/e\/selfreg\/confirm\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(confirmation.raw).not.toMatch(/\/p\//);

    // The link's page, then its button: registered, and the invitation with the personal page follows.
    before = smtp.messages.length;
    const confirmed = await pressButton(s.app, links[0]!.replace('http://links.test', ''));
    expect(confirmed.statusCode).toBe(303);
    const pageUrl = String(confirmed.headers.location);
    const invitation = await nextMail('dana@example.org', before);
    expect(header(invitation, 'content-language')).toBe('de');
    expect(invitation.parsed.subject).toMatch(/^Ihr persönlicher Zugang/);
    expect(invitation.parsed.text).toContain(pageUrl);

    // The one place is taken: the next person is waitlisted, told so by mail in French, with no link at all.
    before = smtp.messages.length;
    expect((await register(s.app, 'selfreg', { name: 'Fanny Français', email: 'fanny@example.org', language: 'fr' })).statusCode).toBe(303);
    const fannyConfirm = await nextMail('fanny@example.org', before);
    const fannyLink = urls(fannyConfirm.parsed.text ?? '')[0]!;
    before = smtp.messages.length;
    const waiting = await pressButton(s.app, fannyLink.replace('http://links.test', ''));
    expect(waiting.statusCode).toBe(200);
    expect(waiting.body).toMatch(/<html lang="fr">/);
    const notice = await nextMail('fanny@example.org', before);
    expect(header(notice, 'content-language')).toBe('fr');
    expect(notice.parsed.subject).toMatch(/liste d’attente/);
    expect(notice.parsed.text).toContain('numéro 1');
    expect(urls(notice.parsed.text ?? '')).toEqual([]);

    // Dana leaves; Fanny is promoted and gets her invitation, in French.
    const dana = (await listParticipants(s.app, 'selfreg')).participants.find((p) => p.email === 'dana@example.org')!;
    before = smtp.messages.length;
    expect((await s.app.inject({ method: 'DELETE', url: `/api/v1/events/selfreg/participants/${dana.id}`, headers: auth })).statusCode).toBe(204);
    const promoted = await nextMail('fanny@example.org', before);
    expect(promoted.parsed.subject).toMatch(/^Votre accès personnel/);
    expect(urls(promoted.parsed.text ?? '').some((u) => u.startsWith('http://links.test/p/'))).toBe(true);
    expect((await listParticipants(s.app, 'selfreg')).participants.map((p) => [p.email, p.status])).toEqual([['fanny@example.org', 'registered']]);

    const kinds = (await s.app.inject({ method: 'GET', url: '/api/v1/events/selfreg/messages?kind=confirmation', headers: auth })).json().messages as Array<{ status: string }>;
    expect(kinds.map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
  });
});
