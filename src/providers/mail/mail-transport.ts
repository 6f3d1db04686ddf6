import type { ConnectionOptions } from 'node:tls';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { singleLine } from '../../domain/single-line.js';
import type { Language } from '../../i18n/languages.js';
import { classifySendError } from './mail-errors.js';

export interface OutgoingMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** `<…@…>`, fixed per message (domain/messages.ts messageIdHeader): a retry sends the same one. */
  messageId: string;
  language: Language;
  /** Reminders: RFC 8058 one-click unsubscribe target (`{links.page}/unsubscribe`). */
  unsubscribeUrl?: string;
  /** The participant's sessions as a text/calendar part (invitation, update). */
  calendar?: { filename: string; method: string; content: string };
}

export interface SentMail {
  messageId: string;
  /** The server's final reply, e.g. "250 2.0.0 Ok: queued as 4Xyz". */
  response: string;
}

/** What the mail queue needs from a sender. Failures are MailSendError (mail-errors.ts), retryable or not. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): Promise<void>;
}

export interface SmtpEndpoint {
  host: string;
  port: number;
  /** smtps:// (implicit TLS, usually 465); smtp:// upgrades with STARTTLS whenever the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
}

/** `smtp://[user:pass@]host[:port]` or `smtps://…`; throws a RangeError saying what is wrong. */
export function parseSmtpUrl(value: string): SmtpEndpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError('must be a URL such as smtp://user:pass@mail.example.org:587 or smtps://…:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new RangeError(`must use smtp:// or smtps://, not ${url.protocol}//`);
  if (url.hostname === '') throw new RangeError('needs a host');
  const secure = url.protocol === 'smtps:';
  const port = url.port === '' ? (secure ? 465 : 587) : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return { host, port, secure, ...(user !== '' ? { auth: { user, pass } } : {}) };
}

/** The domain of MAIL_FROM's address (the right side of our Message-IDs); throws when it holds no address. */
export function senderDomain(from: string): string {
  const [first] = addressparser(from, { flatten: true });
  const address = first && 'address' in first ? first.address : undefined;
  const at = address?.lastIndexOf('@') ?? -1;
  if (!address || at < 1 || at === address.length - 1) throw new RangeError('must be an address such as "Academy" <academy@example.org>');
  return address.slice(at + 1).toLowerCase();
}

export interface SmtpTransportOptions {
  url: string;
  from: string;
  /** Connections kept open and reused; the per-second limit across workers is the queue's, not this. */
  maxConnections?: number;
  /** Extra TLS settings, e.g. a private CA; certificates are always verified. */
  tls?: ConnectionOptions;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const endpoint = parseSmtpUrl(options.url);
  senderDomain(options.from);
  const transporter = nodemailer.createTransport({
    pool: true,
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    ...(endpoint.auth ? { auth: endpoint.auth } : {}),
    maxConnections: options.maxConnections ?? 2,
    maxMessages: 100,
    // Retries belong to the queue, which records each attempt and backs off; a silent re-send inside the pool
    // after a dropped connection could also repeat a message the server had already accepted.
    maxRequeues: 0,
    // nodemailer's defaults (2 min to connect, 10 min of silence) would hold a job far past its lock.
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    greetingTimeout: options.greetingTimeoutMs ?? 10_000,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    ...(options.tls ? { tls: options.tls } : {}),
  });

  return {
    async send(mail) {
      try {
        const info = await transporter.sendMail({
          from: options.from,
          to: { name: singleLine(mail.to.name), address: mail.to.address },
          subject: singleLine(mail.subject),
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: {
            'Content-Language': mail.language,
            // RFC 3834: no vacation replies or bounces-as-replies to a mail nobody typed.
            'Auto-Submitted': 'auto-generated',
            'X-Auto-Response-Suppress': 'OOF, AutoReply',
            ...(mail.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
          },
          ...(mail.unsubscribeUrl ? { list: { unsubscribe: { url: mail.unsubscribeUrl } } } : {}),
          ...(mail.calendar
            ? { icalEvent: { filename: mail.calendar.filename, method: mail.calendar.method, content: mail.calendar.content } }
            : {}),
        });
        return { messageId: info.messageId, response: String(info.response) };
      } catch (error) {
        throw classifySendError(error);
      }
    },
    async close() {
      transporter.close();
    },
  };
}
