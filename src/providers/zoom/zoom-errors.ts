import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whose budget a 429 spent: the account's (per label, shared by every app), one user's (e.g. 100 webinar writes per
 * host and day) or one registrant's (3 adds per UTC day). Only an account limit stops everybody's calls.
 */
export type ZoomRateLimitScope = 'account' | 'user' | 'registrant';

export interface ZoomRateLimitInfo {
  type?: 'per-second' | 'daily';
  scope: ZoomRateLimitScope;
  /** The email a registrant-level refusal names. */
  registrant?: string;
  category?: string;
  limit?: number;
  remaining?: number;
  /** The raw Retry-After, so a caller can work out the reset on its own clock. */
  retryAfter?: string;
}

export interface ZoomApiErrorInit {
  status: number;
  code?: number;
  message: string;
  retryAfterMs?: number;
  rateLimit?: ZoomRateLimitInfo;
  permanent: boolean;
  trackingId?: string;
  cause?: unknown;
}

/**
 * One error type for every Zoom failure, so a job processor can decide retry vs. fail from `permanent` and
 * `retryAfterMs` alone. `status` 0 means no HTTP answer (network error, timeout, reset).
 */
export class ZoomApiError extends Error {
  readonly status: number;
  readonly code?: number;
  readonly retryAfterMs?: number;
  readonly rateLimit?: ZoomRateLimitInfo;
  readonly permanent: boolean;
  readonly trackingId?: string;

  constructor(init: ZoomApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ZoomApiError';
    this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.rateLimit !== undefined) this.rateLimit = init.rateLimit;
    if (init.trackingId !== undefined) this.trackingId = init.trackingId;
    this.permanent = init.permanent;
  }

  get retryable(): boolean {
    return !this.permanent;
  }
}

export function isZoomApiError(error: unknown): error is ZoomApiError {
  return error instanceof ZoomApiError;
}

export function nextUtcMidnightMs(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/**
 * Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3), and Zoom's documented daily example is an
 * ISO date-time ("2020-05-31T00:00:00Z"); Date.parse reads both date forms.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function header(headers: IncomingHttpHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function numberHeader(headers: IncomingHttpHeaders | undefined, name: string): number | undefined {
  const raw = header(headers, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

const PER_SECOND_MESSAGE = /per-second rate limit/i;
const DAILY_MESSAGE = /daily rate limit|daily limit/i;
/** "…for Add a webinar registrant API requests for the registrant (x@example.org). You can resume…" (t/141856). */
const REGISTRANT_MESSAGE = /for the registrant \(([^()\s]+)\)/i;
/** "…of Meeting Create/Update API requests permitted for this particular user…" (t/18928). */
const USER_MESSAGE = /for this particular user|for the user\b/i;

/**
 * Account limits announce themselves in the headers: Zoom adds `X-RateLimit-Type` (QPS or Daily-limit) to their 429s.
 * The user- and registrant-level refusals seen in the wild carry only the label's `X-RateLimit-Category/-Limit/
 * -Remaining` (budget left, no type, no Retry-After; t/18928), and their message names whose quota it was. A 429
 * that fits neither is taken as the account's, the cautious reading. `X-RateLimit-Remaining` alone decides nothing:
 * it can be the current second's, at 0 by coincidence.
 */
function scopeFrom(typeHeader: string | undefined, message: string): Pick<ZoomRateLimitInfo, 'scope' | 'registrant'> {
  if (typeHeader !== undefined) return { scope: 'account' };
  const registrant = REGISTRANT_MESSAGE.exec(message)?.[1];
  if (registrant) return { scope: 'registrant', registrant };
  if (USER_MESSAGE.test(message)) return { scope: 'user' };
  return { scope: 'account' };
}

function rateLimitFrom(headers: IncomingHttpHeaders | undefined, message: string): ZoomRateLimitInfo {
  const type = header(headers, 'x-ratelimit-type');
  const remaining = numberHeader(headers, 'x-ratelimit-remaining');
  const info: ZoomRateLimitInfo = scopeFrom(type, message);
  // Docs call the per-second kind "QPS"; the literal header value is unverified, so match loosely.
  if (type) info.type = /daily/i.test(type) ? 'daily' : 'per-second';
  else if (DAILY_MESSAGE.test(message)) info.type = 'daily';
  else if (PER_SECOND_MESSAGE.test(message)) info.type = 'per-second';
  const category = header(headers, 'x-ratelimit-category');
  if (category) info.category = category;
  const limit = numberHeader(headers, 'x-ratelimit-limit');
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) info.retryAfter = retryAfter;
  return info;
}

/** A 429 that spent the account's budget (or one whose kind is unknown): everybody's calls of that kind must wait. */
export function isAccountRateLimit(error: unknown): error is ZoomApiError {
  return isZoomApiError(error) && error.status === 429 && error.rateLimit?.scope !== 'registrant';
}

/** Zoom refused one registrant's add (their daily quota), not the call as such: the email it names. */
export function refusedRegistrant(error: unknown): string | undefined {
  if (!isZoomApiError(error) || error.status !== 429 || error.rateLimit?.scope !== 'registrant') return undefined;
  return error.rateLimit.registrant;
}

/** When the limit behind a 429 resets, on the caller's clock: Retry-After when Zoom sent it, else the documented default. */
export function rateLimitResetMs(info: ZoomRateLimitInfo, nowMs: number): number {
  return nowMs + (parseRetryAfter(info.retryAfter, nowMs) ?? fallbackRetryAfterMs(info, nowMs));
}

/** Used when the Retry-After header is absent (or could not be recovered from rivet). */
function fallbackRetryAfterMs(info: ZoomRateLimitInfo, nowMs: number): number {
  if (info.type === 'daily') return Math.max(0, nextUtcMidnightMs(nowMs) - nowMs);
  return 1000;
}

export interface HttpFailure {
  status: number;
  code?: number;
  message: string;
  headers?: IncomingHttpHeaders;
}

export function fromHttpFailure(failure: HttpFailure, nowMs: number, cause?: unknown): ZoomApiError {
  const { status, code, message, headers } = failure;
  const trackingId = header(headers, 'x-zm-trackingid');
  const base = {
    status,
    message,
    ...(code === undefined ? {} : { code }),
    ...(trackingId === undefined ? {} : { trackingId }),
    ...(cause === undefined ? {} : { cause }),
  };
  if (status === 429) {
    const rateLimit = rateLimitFrom(headers, message);
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), nowMs) ?? fallbackRetryAfterMs(rateLimit, nowMs);
    return new ZoomApiError({ ...base, permanent: false, retryAfterMs, rateLimit });
  }
  const transient = status >= 500 || status === 408 || status === 0;
  const retryAfterMs = transient ? parseRetryAfter(header(headers, 'retry-after'), nowMs) : undefined;
  return new ZoomApiError({ ...base, permanent: !transient, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

/** Rivet's ApiResponseError text: `[429/429]: "message"`, or `[502]: Request was unsuccessful…` without a Zoom body. */
const RIVET_MESSAGE = /^\[(\d{3})(?:\/(-?\d+))?\]:\s*(.*)$/s;

export function parseRivetMessage(text: string): { status: number; code?: number; message: string } | undefined {
  const match = RIVET_MESSAGE.exec(text);
  if (!match) return undefined;
  const [, status, code, rest = ''] = match;
  const message = rest.startsWith('"') && rest.endsWith('"') && rest.length >= 2 ? rest.slice(1, -1) : rest;
  return { status: Number(status), ...(code === undefined ? {} : { code: Number(code) }), message };
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : errorCode(cause);
}

export function isNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return true;
  return error instanceof Error && /socket hang up|timeout of \d+ms exceeded|fetch failed/i.test(error.message);
}

/**
 * Turns whatever rivet/axios/fetch threw into a ZoomApiError. `headers` are the ones recovered for the failed
 * response (rivet drops them); without them, Retry-After falls back to what the message says.
 */
export function toZoomApiError(error: unknown, nowMs: number, headers?: IncomingHttpHeaders): ZoomApiError {
  if (error instanceof ZoomApiError) return error;
  if (error instanceof Error) {
    const parsed = parseRivetMessage(error.message);
    if (parsed && (error.name === 'ApiResponseError' || (error as { errorCode?: unknown }).errorCode !== undefined)) {
      return fromHttpFailure({ ...parsed, ...(headers === undefined ? {} : { headers }) }, nowMs, error);
    }
    if (isNetworkError(error)) {
      return new ZoomApiError({ status: 0, message: `network error: ${error.message}`, permanent: false, cause: error });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ZoomApiError({ status: 0, message: `unexpected failure calling Zoom: ${message}`, permanent: true, cause: error });
}
