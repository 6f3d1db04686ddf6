import ical, { type VEvent } from 'node-ical';
import { afterEach, describe, expect, it } from 'vitest';
import { messageIdHeader } from '../../../src/domain/messages.js';
import { programmeSchema } from '../../../src/domain/programme.js';
import { scheduleProgramme } from '../../../src/domain/schedule.js';
import { createTranslations } from '../../../src/i18n/i18n.js';
import { MailSendError, classifySendError } from '../../../src/providers/mail/mail-errors.js';
import {
  createSmtpTransport,
  parseSmtpUrl,
  senderDomain,
  type MailTransport,
  type OutgoingMail,
  type SmtpTransportOptions,
} from '../../../src/providers/mail/mail-transport.js';
import { calendarPart } from '../../../src/messages/templates/calendar-part.js';
import { mailDays, unsubscribeUrl } from '../../../src/messages/templates/mail-model.js';
import { renderMail } from '../../../src/messages/templates/render-mail.js';
import { startFakeSmtpServer, TEST_TLS_CA, type FakeSmtpOptions, type FakeSmtpServer } from '../../fakes/smtp-server.js';
import { exampleProgramme } from '../../helpers/programme-fixtures.js';

const FROM = '"HRGL Academy" <academy@example.org>';
const PAGE = 'https://academy.example.org/p/tok-123';
const programme = programmeSchema.parse(exampleProgramme());
const schedule = scheduleProgramme(programme);
const translations = createTranslations();

function invitation(n = 1, overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  const rendered = renderMail(
    {
      kind: 'invitation',
      language: 'de',
      event: { title: programme.title, timezone: programme.timezone, joinOpensMinutesBefore: 15 },
      participant: { name: 'Ana Müller', role: 'participant' },
      links: { page: PAGE },
      days: mailDays(schedule, schedule.sessions),
    },
    translations,
  );
  const joins = Object.fromEntries(schedule.sessions.map((s) => [s.id, `${PAGE}/join/${s.id}`]));
  return {
    to: { name: 'Ana Müller', address: 'ana@example.net' },
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    language: rendered.language,
    messageId: messageIdHeader(`inv:p-ana:${n}`, programme.id, senderDomain(FROM)),
    calendar: calendarPart({ language: 'en', event: programme, participantId: 'p-ana', version: 3, links: { page: PAGE, join: joins }, sessions: schedule.sessions }, translations.translator('en')),
    ...overrides,
  };
}

let server: FakeSmtpServer | undefined;
let transport: MailTransport | undefined;

afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});

async function setUp(fake: FakeSmtpOptions = {}, options: Partial<SmtpTransportOptions> = {}) {
  server = await startFakeSmtpServer(fake);
  transport = createSmtpTransport({ url: server.url, from: FROM, connectionTimeoutMs: 2000, greetingTimeoutMs: 2000, socketTimeoutMs: 5000, ...options });
  return { server, transport };
}

async function failure(promise: Promise<unknown>): Promise<MailSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailSendError);
  return error as MailSendError;
}

describe('sending over SMTP', () => {
  it('delivers both parts, our headers and the calendar part', async () => {
    const { server, transport } = await setUp();
    const mail = invitation();
    const sent = await transport.send(mail);
    expect(sent.messageId).toBe('<inv.p-ana.1.hrgl-2024@example.org>');
    expect(sent.response).toMatch(/^250 /);

    const [received] = await server.waitForMessages(1);
    const parsed = received!.parsed;
    expect(received!.envelope).toEqual({ from: 'academy@example.org', to: ['ana@example.net'] });
    expect(parsed.from?.value).toEqual([{ name: 'HRGL Academy', address: 'academy@example.org' }]);
    expect(parsed.to).toMatchObject({ value: [{ name: 'Ana Müller', address: 'ana@example.net' }] });
    expect(parsed.subject).toBe(`Ihr persönlicher Zugang: ${programme.title}`);
    expect(parsed.messageId).toBe('<inv.p-ana.1.hrgl-2024@example.org>');
    expect(parsed.headers.get('content-language')).toBe('de');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(parsed.text).toContain(PAGE);
    expect(parsed.text).toContain('Opera wird von BigBlueButton nicht unterstützt.');
    expect(parsed.html).toContain(`<a href="${PAGE}"`);
    expect(parsed.html).toContain('<html lang="de"');

    const calendar = parsed.attachments.find((a) => a.contentType === 'text/calendar');
    expect(calendar?.contentType).toBe('text/calendar');
    expect(received!.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=PUBLISH/i);
    const events = Object.values(ical.sync.parseICS(calendar!.content.toString('utf8'))).filter((c): c is VEvent => c?.type === 'VEVENT');
    expect(events.map((e) => e.uid)).toEqual(schedule.sessions.map((s) => `${s.id}.hrgl-2024@academy-orchestrator`));
    expect(events.every((e) => Number(e.sequence) === 3)).toBe(true);
    // No provider URL anywhere on the wire.
    expect(received!.raw).not.toMatch(/bigbluebutton\/api|zoom\.us/i);
  });

  it('marks reminders for one-click unsubscribe (RFC 8058)', async () => {
    const { server, transport } = await setUp();
    await transport.send(invitation(1, { calendar: undefined, unsubscribeUrl: unsubscribeUrl(PAGE) }));
    const [received] = await server.waitForMessages(1);
    expect(received!.raw).toMatch(/^List-Unsubscribe: <https:\/\/academy\.example\.org\/p\/tok-123\/unsubscribe>\r$/m);
    expect(received!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(received!.parsed.attachments).toEqual([]);
  });

  it('sends the same Message-ID on a retry, and reuses one pooled connection', async () => {
    const { server, transport } = await setUp();
    await transport.send(invitation(1));
    await transport.send(invitation(1));
    await transport.send(invitation(2));
    const received = await server.waitForMessages(3);
    expect(received.map((m) => m.parsed.messageId)).toEqual([
      '<inv.p-ana.1.hrgl-2024@example.org>',
      '<inv.p-ana.1.hrgl-2024@example.org>',
      '<inv.p-ana.2.hrgl-2024@example.org>',
    ]);
    expect(server.connections).toBe(1);
  });

  it('keeps a name with CR/LF or markup inside the To header', async () => {
    const { server, transport } = await setUp();
    const evil = 'Eve\r\nBcc: victim@example.org\r\nX-Injected: 1 <b>';
    await transport.send(invitation(1, { to: { name: evil, address: 'eve@example.net' }, subject: 'Hello\r\nBcc: victim@example.org' }));
    const [received] = await server.waitForMessages(1);
    expect(received!.envelope.to).toEqual(['eve@example.net']);
    expect(received!.parsed.bcc).toBeUndefined();
    expect(received!.parsed.headers.has('x-injected')).toBe(false);
    expect(received!.parsed.to).toMatchObject({ value: [{ address: 'eve@example.net' }] });
    expect(received!.parsed.subject).toBe('Hello Bcc: victim@example.org');
  });
});

describe('failures', () => {
  it('a 4xx at RCPT is retryable, and the next attempt goes through', async () => {
    const { server, transport } = await setUp();
    server.failNext(1, { stage: 'rcpt', code: 451, message: '4.7.1 Greylisted, try again later' });
    const error = await failure(transport.send(invitation()));
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ responseCode: 451, command: 'RCPT TO' });
    expect(error.message).toContain('451 4.7.1 Greylisted');
    await transport.send(invitation());
    expect(server.messages).toHaveLength(1);
  });

  it('an address the server refuses (550 at RCPT) is permanent, with the server’s reply', async () => {
    const { server, transport } = await setUp();
    server.failNext(1, { stage: 'rcpt', code: 550, message: '5.1.1 <ana@example.net>: Recipient address rejected: User unknown' });
    const error = await failure(transport.send(invitation()));
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    expect(error.message).toBe('550 5.1.1 <ana@example.net>: Recipient address rejected: User unknown');
  });

  it('a 5xx after DATA is permanent, a 4xx there retryable', async () => {
    const { server, transport } = await setUp();
    server.failNext(1, { stage: 'data', code: 554, message: '5.7.1 Message rejected as spam' });
    const permanent = await failure(transport.send(invitation()));
    expect(permanent).toMatchObject({ retryable: false, details: { responseCode: 554, command: 'DATA' } });
    expect(permanent.message).toContain('554 5.7.1 Message rejected as spam');
    server.failNext(1, { stage: 'data', code: 452, message: '4.3.1 Insufficient system storage' });
    expect((await failure(transport.send(invitation()))).retryable).toBe(true);
    server.failNext(1, { stage: 'mail', code: 421, message: '4.3.2 Service shutting down' });
    expect((await failure(transport.send(invitation()))).retryable).toBe(true);
    await transport.send(invitation());
    expect(server.messages).toHaveLength(1);
  });

  it('a refused connection is retryable, and sending resumes once the server is back', async () => {
    const { server, transport } = await setUp();
    await server.refuseConnections();
    const error = await failure(transport.send(invitation()));
    expect(error.retryable).toBe(true);
    expect(error.details.code).toBe('ECONNREFUSED');
    await server.acceptConnections();
    await transport.send(invitation());
    expect(server.messages).toHaveLength(1);
  });

  it('a server that never greets is a retryable timeout', async () => {
    const { server, transport } = await setUp({}, { greetingTimeoutMs: 300 });
    server.delayGreeting(2000);
    const error = await failure(transport.send(invitation()));
    expect(error.retryable).toBe(true);
    expect(error.details.code).toBe('ETIMEDOUT');
  });

  it('a slow DATA answer within the socket timeout is fine; beyond it, a retryable timeout', async () => {
    const { server, transport } = await setUp({}, { socketTimeoutMs: 700 });
    server.delayData(300);
    await transport.send(invitation());
    expect(server.messages).toHaveLength(1);
    server.delayData(2000);
    const error = await failure(transport.send(invitation()));
    expect(error.retryable).toBe(true);
    expect(error.details.code).toBe('ETIMEDOUT');
  });

  it('classifies errors without a server reply by their code', () => {
    expect(classifySendError(Object.assign(new Error('x'), { code: 'ESOCKET', originalCode: 'ECONNRESET' }))).toMatchObject({ retryable: true, details: { code: 'ECONNRESET' } });
    expect(classifySendError(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication failed' })).retryable).toBe(true);
    expect(classifySendError(Object.assign(new Error('Invalid recipient'), { code: 'EENVELOPE' })).retryable).toBe(false);
    expect(classifySendError(new Error('something new')).retryable).toBe(true);
  });
});

describe('TLS and authentication', () => {
  it('upgrades smtp:// with STARTTLS when the server offers it, verifying the certificate', async () => {
    const { server, transport } = await setUp({ starttls: true }, { tls: { ca: TEST_TLS_CA } });
    await transport.send(invitation());
    const [received] = await server.waitForMessages(1);
    expect(received!.secure).toBe(true);
  });

  it('refuses a certificate it cannot verify (retryable: the deployment must fix its CA)', async () => {
    const { transport } = await setUp({ starttls: true });
    const error = await failure(transport.send(invitation()));
    expect(error.retryable).toBe(true);
    // nodemailer's ETLS, reported by the system error beneath it, which says what is wrong.
    expect(error.details.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('speaks implicit TLS for smtps://', async () => {
    const { server, transport } = await setUp({ secure: true }, { tls: { ca: TEST_TLS_CA } });
    expect(server.url).toMatch(/^smtps:\/\//);
    await transport.send(invitation());
    expect((await server.waitForMessages(1))[0]!.secure).toBe(true);
  });

  it('authenticates with the credentials in SMTP_URL', async () => {
    const { server, transport } = await setUp({ auth: { user: 'mailer', pass: 's3cr:t@/x' } });
    await transport.send(invitation());
    expect((await server.waitForMessages(1))[0]!.user).toBe('mailer');
  });

  it('calls refused credentials retryable, so messages wait for the fix instead of failing for good', async () => {
    server = await startFakeSmtpServer({ auth: { user: 'mailer', pass: 'right' } });
    transport = createSmtpTransport({ url: server.url.replace('right', 'wrong'), from: FROM });
    const error = await failure(transport.send(invitation()));
    expect(error).toMatchObject({ retryable: true, details: { code: 'EAUTH', responseCode: 535 } });
  });
});

describe('configuration', () => {
  it('parses SMTP_URL', () => {
    expect(parseSmtpUrl('smtp://mail.example.org:587')).toEqual({ host: 'mail.example.org', port: 587, secure: false });
    expect(parseSmtpUrl('smtps://u%40x:p%3Aw@mail.example.org')).toEqual({ host: 'mail.example.org', port: 465, secure: true, auth: { user: 'u@x', pass: 'p:w' } });
    expect(parseSmtpUrl('smtp://[::1]:2525')).toMatchObject({ host: '::1', port: 2525 });
    expect(() => parseSmtpUrl('https://mail.example.org')).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => parseSmtpUrl('not a url')).toThrow(RangeError);
  });

  it('reads the sender domain from MAIL_FROM', () => {
    expect(senderDomain('"HRGL Academy" <academy@Example.org>')).toBe('example.org');
    expect(senderDomain('academy@example.org')).toBe('example.org');
    expect(() => senderDomain('HRGL Academy')).toThrow(RangeError);
  });
});
