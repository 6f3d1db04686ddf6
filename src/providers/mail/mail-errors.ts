/**
 * Whether a failed send should be tried again. Read from the fields nodemailer sets on its errors
 * (node_modules/nodemailer/dist/esm/errors.d.ts, NodemailerError): `responseCode` and `response` when the
 * server replied, `code` (ECONNECTION, ETIMEDOUT, ESOCKET, EENVELOPE, EMESSAGE, EAUTH …) for where it failed,
 * `originalCode` for the system error beneath (ECONNREFUSED, ECONNRESET), `command` for the SMTP command.
 */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    /** True: try the same message again later (4xx, connection trouble). False: it will never go (5xx). */
    readonly retryable: boolean,
    readonly details: { responseCode?: number; command?: string; code?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface NodemailerErrorFields {
  message?: unknown;
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

// Trouble reaching or talking to the server, not an answer about this message: the next attempt may work.
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EABORT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

// Refused credentials are the deployment's problem, not the message's: failing every message for good while
// someone fixes SMTP_URL would lose them all, so they wait and retry like an outage (bounded by the queue's
// attempts). Other client-side refusals (a malformed address, an oversized message) never get better.
const CONFIGURATION_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'ESTREAM', 'EMAXRECIPIENTS', 'EREQUIRETLS', 'ECONFIG']);

const MAX_REASON = 500;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The server's own reply when there is one (what the organizer needs to see), else nodemailer's message. */
function reason(fields: NodemailerErrorFields): string {
  const said = text(fields.response) ?? text(fields.message) ?? 'mail could not be sent';
  // eslint-disable-next-line no-control-regex
  const oneLine = said.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return oneLine.length > MAX_REASON ? `${oneLine.slice(0, MAX_REASON - 1)}…` : oneLine;
}

export function classifySendError(error: unknown): MailSendError {
  if (error instanceof MailSendError) return error;
  const fields: NodemailerErrorFields = typeof error === 'object' && error !== null ? (error as NodemailerErrorFields) : { message: String(error) };
  const code = text(fields.code);
  const originalCode = text(fields.originalCode);
  const responseCode = typeof fields.responseCode === 'number' && Number.isInteger(fields.responseCode) ? fields.responseCode : undefined;
  const command = text(fields.command);
  const details = {
    ...(responseCode !== undefined ? { responseCode } : {}),
    ...(command !== undefined ? { command } : {}),
    ...(code !== undefined ? { code: originalCode ?? code } : {}),
  };
  const message = reason(fields);
  let retryable: boolean;
  if (code !== undefined && CONFIGURATION_CODES.has(code)) retryable = true;
  // RFC 5321 §4.2.1: 4yz is a transient negative completion, 5yz a permanent one (the same message would be
  // refused again: unknown recipient at RCPT, content refused at DATA).
  else if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) retryable = responseCode < 500;
  else if ((code !== undefined && CONNECTION_CODES.has(code)) || (originalCode !== undefined && CONNECTION_CODES.has(originalCode))) retryable = true;
  else if (code !== undefined && PERMANENT_CODES.has(code)) retryable = false;
  // Anything unforeseen is retried: the queue's attempt limit bounds it, and a lost message is worse than a late one.
  else retryable = true;
  return new MailSendError(message, retryable, details, { cause: error });
}
