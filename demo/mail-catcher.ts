// The demo's mail catcher: an SMTP server on loopback that accepts every message and keeps the latest ones in
// memory, and a small web inbox to read them. Built from smtp-server and mailparser (devDependencies, like the
// rest of the demo); nothing leaves the machine.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { INBOX_CSS, INBOX_JS, renderInbox, renderMessage, renderNotFound, sandboxedHtml } from './inbox-page.js';

export interface CaughtMail {
  /** 1, 2, 3 … in arrival order; the inbox's URLs use it. */
  id: number;
  receivedAt: Date;
  envelope: { from: string; to: string[] };
  /** The message as it arrived, for "view source". */
  raw: Buffer;
  parsed: ParsedMail;
}

export interface MailCatcherOptions {
  host?: string;
  /** 0 (default): any free port. */
  smtpPort?: number;
  /** 0 (default): any free port. */
  httpPort?: number;
  /** How many messages are kept; older ones are dropped (default 500). */
  keep?: number;
  /** Called for every message caught. */
  onMail?: (mail: CaughtMail) => void;
}

export interface MailCatcher {
  /** `smtp://127.0.0.1:port`, for SMTP_URL. */
  readonly smtpUrl: string;
  /** The web inbox, `http://127.0.0.1:port/`. */
  readonly inboxUrl: string;
  /** Oldest first. */
  readonly messages: readonly CaughtMail[];
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 500;
  const messages: CaughtMail[] = [];
  let nextId = 1;

  const smtp = new SMTPServer({
    // Accept everything, in the clear: no AUTH, and no STARTTLS (its built-in certificate would fail the
    // service's certificate check, and nothing leaves loopback anyway).
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    disableReverseLookup: true,
    banner: 'academy-orchestrator demo mail catcher',
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('Message too large for the demo inbox'), { responseCode: 552 }));
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const mail: CaughtMail = {
              id: nextId++,
              receivedAt: new Date(),
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
              raw,
              parsed,
            };
            messages.push(mail);
            if (messages.length > keep) messages.splice(0, messages.length - keep);
            options.onMail?.(mail);
            callback(null, `Ok: caught as #${mail.id}`);
          },
          (error: unknown) => callback(Object.assign(new Error(`Could not parse the message: ${(error as Error).message}`), { responseCode: 554 })),
        );
      });
    },
  });
  smtp.on('error', () => undefined);
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => {
      smtp.server.off('error', reject);
      resolve((smtp.server.address() as AddressInfo).port);
    });
  });

  const http = createServer((request, response) => {
    try {
      handle(request, response);
    } catch {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'inbox error');
    }
  });
  let httpPort = 0;
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error) => {
      void smtpClose(smtp).then(() => reject(error));
    });
    http.listen(options.httpPort ?? 0, host, () => {
      httpPort = (http.address() as AddressInfo).port;
      resolve();
    });
  });
  const displayHost = host.includes(':') ? `[${host}]` : host;
  const inboxUrl = `http://${displayHost}:${httpPort}/`;
  // A page on some web site must not read the inbox through a DNS name pointed at 127.0.0.1 (DNS rebinding).
  const allowedHosts = new Set([`${displayHost}:${httpPort}`, `localhost:${httpPort}`]);

  function handle(request: IncomingMessage, response: ServerResponse) {
    if (!allowedHosts.has(request.headers.host ?? '')) return send(response, 421, 'text/plain; charset=utf-8', 'unexpected Host header');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed');
    }
    const path = new URL(request.url ?? '/', 'http://inbox').pathname;
    if (path === '/') return sendPage(response, 200, renderInbox([...messages].reverse(), { smtpUrl: `smtp://${displayHost}:${smtpPort}`, keep }));
    if (path === '/inbox.css') return send(response, 200, 'text/css; charset=utf-8', INBOX_CSS, { 'cache-control': 'no-cache' });
    if (path === '/inbox.js') return send(response, 200, 'text/javascript; charset=utf-8', INBOX_JS, { 'cache-control': 'no-cache' });
    if (path === '/latest') return send(response, 200, 'text/plain; charset=utf-8', String(messages.at(-1)?.id ?? 0));
    const match = /^\/m\/(\d{1,9})(?:\/(body\.html|source\.eml|attachments\/(\d{1,4})))?$/.exec(path);
    const mail = match ? messages.find((m) => m.id === Number(match[1])) : undefined;
    if (!match || !mail) return sendPage(response, 404, renderNotFound());
    const [, , part, attachment] = match;
    if (part === undefined) return sendPage(response, 200, renderMessage(mail));
    if (part === 'body.html') {
      if (mail.parsed.html === false || mail.parsed.html === undefined) return sendPage(response, 404, renderNotFound());
      return send(response, 200, 'text/html; charset=utf-8', sandboxedHtml(mail.parsed.html), {
        // Served as its own document under a sandbox policy: no scripts, no forms, an opaque origin, inline
        // styles and embedded images only; opened links leave the sandbox in a new tab.
        'content-security-policy':
          "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
        'referrer-policy': 'no-referrer',
      });
    }
    if (part === 'source.eml') {
      return send(response, 200, 'text/plain; charset=utf-8', mail.raw, {
        'content-security-policy': "sandbox; default-src 'none'",
        'content-disposition': `inline; filename="message-${mail.id}.eml"`,
      });
    }
    const file = mail.parsed.attachments[Number(attachment)];
    if (!file) return sendPage(response, 404, renderNotFound());
    return send(response, 200, safeContentType(file.contentType), file.content, {
      'content-disposition': `attachment; filename="${attachmentName(file.filename, file.contentType, Number(attachment))}"`,
      'content-security-policy': "sandbox; default-src 'none'",
    });
  }

  return {
    smtpUrl: `smtp://${displayHost}:${smtpPort}`,
    inboxUrl,
    messages,
    async close() {
      await Promise.all([smtpClose(smtp), httpClose(http)]);
    },
  };
}

/** The file name to offer for download: the part's own when it is plain, else one made up from its type. */
export function attachmentName(filename: string | undefined, contentType: string, index: number): string {
  if (filename && /^[\w.() -]{1,100}$/.test(filename) && !filename.startsWith('.')) return filename;
  return contentType === 'text/calendar' || contentType === 'application/ics' ? `calendar-${index + 1}.ics` : `attachment-${index + 1}.bin`;
}

function safeContentType(contentType: string): string {
  // Anything a browser could render as a document of our origin is offered as plain bytes.
  return /^(text\/calendar|application\/ics|text\/plain|application\/pdf|image\/(png|jpeg|gif))$/.test(contentType) ? contentType : 'application/octet-stream';
}

const PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

function sendPage(response: ServerResponse, status: number, html: string) {
  send(response, status, 'text/html; charset=utf-8', html, { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' });
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function smtpClose(smtp: SMTPServer): Promise<void> {
  return new Promise((resolve) => {
    for (const connection of smtp.connections) connection.close();
    if (!smtp.server.listening) return resolve();
    smtp.close(() => resolve());
  });
}

function httpClose(http: Server): Promise<void> {
  return new Promise((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
}
