import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** A certificate for localhost and 127.0.0.1 (valid until 2126); pass TEST_TLS_CA to a client to trust it. */
export const TEST_TLS_CERT = readFileSync(new URL('./tls/localhost-cert.pem', import.meta.url), 'utf8');
export const TEST_TLS_KEY = readFileSync(new URL('./tls/localhost-key.pem', import.meta.url), 'utf8');
export const TEST_TLS_CA = TEST_TLS_CERT;

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** The message as it arrived on the wire, CRLF and all. */
  raw: string;
  parsed: ParsedMail;
  sessionId: string;
  /** Whether the session was encrypted (implicit TLS or STARTTLS) and who authenticated, if anyone. */
  secure: boolean;
  user?: string;
}

export type FaultStage = 'mail' | 'rcpt' | 'data';

export interface Fault {
  stage: FaultStage;
  /** SMTP reply code, e.g. 451 (try later), 550 (no such user), 554 (refused). */
  code: number;
  message?: string;
}

export interface FakeSmtpOptions {
  /** Implicit TLS (smtps://) with the test certificate. */
  secure?: boolean;
  /** Offer STARTTLS with the test certificate (without it the server offers no TLS at all). */
  starttls?: boolean;
  /** Require AUTH PLAIN/LOGIN with these credentials. */
  auth?: { user: string; pass: string };
}

export interface FakeSmtpServer {
  readonly port: number;
  /** `smtp://127.0.0.1:port` (or smtps://), with the credentials when auth is on. */
  readonly url: string;
  readonly messages: ReceivedMail[];
  /** SMTP sessions opened so far (a pooled client reuses one for several messages). */
  readonly connections: number;
  /** The next `count` transactions get `fault` instead of success. */
  failNext(count: number, fault: Fault): void;
  /** Wait this long after the message's last byte before answering DATA. */
  delayData(ms: number): void;
  /** Wait this long before sending the greeting to a new connection. */
  delayGreeting(ms: number): void;
  /** Stop listening and drop open connections: new connections are refused (ECONNREFUSED). */
  refuseConnections(): Promise<void>;
  /** Listen again on the same port. */
  acceptConnections(): Promise<void>;
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

function smtpError(fault: Fault): Error {
  return Object.assign(new Error(fault.message ?? (fault.code < 500 ? 'Try again later' : 'Refused')), { responseCode: fault.code });
}

/** A real SMTP server on 127.0.0.1 (smtp-server), every message parsed by mailparser, with faults on demand. */
export async function startFakeSmtpServer(options: FakeSmtpOptions = {}): Promise<FakeSmtpServer> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const faults: Fault[] = [];
  let connections = 0;
  let dataDelayMs = 0;
  let greetingDelayMs = 0;
  let port = 0;

  // A fault applies to one transaction: taken at its stage, and a RCPT fault is not taken again by DATA.
  const takeFault = (stage: FaultStage): Fault | undefined => {
    if (faults[0]?.stage !== stage) return undefined;
    return faults.shift();
  };

  const tls = options.secure || options.starttls ? { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } : {};
  const server = new SMTPServer({
    ...tls,
    secure: options.secure === true,
    hideSTARTTLS: !(options.starttls || options.secure),
    authOptional: options.auth === undefined,
    ...(options.auth ? { authMethods: ['PLAIN', 'LOGIN'], allowInsecureAuth: true } : { disabledCommands: ['AUTH'] }),
    disableReverseLookup: true,
    logger: false,
    size: 25 * 1024 * 1024,
    onConnect(_session: SMTPServerSession, callback: (err?: Error | null) => void) {
      connections += 1;
      if (greetingDelayMs > 0) setTimeout(() => callback(), greetingDelayMs);
      else callback();
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onMailFrom(_address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const fault = takeFault('mail');
      callback(fault ? smtpError(fault) : null);
    },
    onRcptTo(_address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const fault = takeFault('rcpt');
      callback(fault ? smtpError(fault) : null);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const answer = async () => {
          const fault = takeFault('data');
          if (fault) return callback(smtpError(fault));
          const raw = Buffer.concat(chunks).toString('utf8');
          const parsed = await simpleParser(raw);
          messages.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            raw,
            parsed,
            sessionId: session.id,
            secure: session.secure,
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
          });
          for (const wake of waiters) wake();
          callback(null, `Ok: queued as fake-${messages.length}`);
        };
        const run = () => void answer().catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
        if (dataDelayMs > 0) setTimeout(run, dataDelayMs);
        else run();
      });
    },
  });

  // A client that vanishes mid-session (a worker killed by SIGKILL) resets its connection: that is the client's
  // failure, which a real server logs and survives.
  server.on('error', () => undefined);

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        port = (server.server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  const scheme = options.secure ? 'smtps' : 'smtp';
  const credentials = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';

  return {
    get port() {
      return port;
    },
    get url() {
      return `${scheme}://${credentials}127.0.0.1:${port}`;
    },
    messages,
    get connections() {
      return connections;
    },
    failNext(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    delayData(ms) {
      dataDelayMs = ms;
    },
    delayGreeting(ms) {
      greetingDelayMs = ms;
    },
    refuseConnections() {
      return new Promise<void>((resolve) => {
        for (const connection of server.connections) connection.close();
        server.server.close(() => resolve());
      });
    },
    acceptConnections() {
      return new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.server.listen(port, '127.0.0.1', () => {
          server.server.off('error', reject);
          resolve();
        });
      });
    },
    waitForMessages(count, timeoutMs = 5000) {
      if (messages.length >= count) return Promise.resolve(messages.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`expected ${count} messages, got ${messages.length} within ${timeoutMs} ms`));
        }, timeoutMs);
        const wake = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(messages.slice(0, count));
        };
        waiters.add(wake);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const connection of server.connections) connection.close();
        if (!server.server.listening) return resolve();
        server.close(() => resolve());
      });
    },
  };
}
