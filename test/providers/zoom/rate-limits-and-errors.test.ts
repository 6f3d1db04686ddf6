import { describe, expect, it } from 'vitest';
import { bullmqLimiterFor, ZOOM_OPERATION_LABELS } from '../../../src/providers/zoom/rate-limits.js';
import {
  fromHttpFailure,
  isAccountRateLimit,
  parseRetryAfter,
  parseRivetMessage,
  rateLimitResetMs,
  refusedRegistrant,
  toZoomApiError,
} from '../../../src/providers/zoom/zoom-errors.js';

describe('rate limits', () => {
  it('gives BullMQ limiters per plan and label', () => {
    expect(bullmqLimiterFor('pro', 'heavy')).toEqual({ max: 10, duration: 1000 });
    expect(bullmqLimiterFor('free', 'light')).toEqual({ max: 4, duration: 1000 });
    expect(bullmqLimiterFor('business', 'resource-intensive')).toEqual({ max: 20, duration: 60_000 });
    expect(bullmqLimiterFor('pro', 'medium', 0.5)).toEqual({ max: 10, duration: 1000 });
    expect(bullmqLimiterFor('free', 'heavy', 0.1)).toEqual({ max: 1, duration: 1000 });
    expect(ZOOM_OPERATION_LABELS.addBatchRegistrants).toBe('heavy');
  });
});

describe('zoom errors', () => {
  const now = Date.UTC(2031, 4, 30, 18, 0, 0);
  it('reads Retry-After as seconds, HTTP-date or ISO date-time', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('2031-05-31T00:00:00Z', now)).toBe(6 * 3600_000);
    expect(parseRetryAfter('Sat, 31 May 2031 00:00:00 GMT', now)).toBe(6 * 3600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('parses rivet messages and falls back to the message for rate-limit kinds', () => {
    expect(parseRivetMessage('[404/3001]: "Webinar does not exist: 1."')).toEqual({ status: 404, code: 3001, message: 'Webinar does not exist: 1.' });
    const rivetError = (message: string) => Object.assign(new Error(message), { name: 'ApiResponseError' });
    const perSecond = toZoomApiError(rivetError('[429/429]: "You have reached the maximum per-second rate limit for this API. Try again later."'), now);
    expect([perSecond.retryAfterMs, perSecond.rateLimit?.type, perSecond.permanent]).toEqual([1000, 'per-second', false]);
    const daily = toZoomApiError(rivetError('[429/429]: "You have exceeded the daily rate limit of (3) for Add a webinar registrant API requests"'), now);
    expect([daily.retryAfterMs, daily.rateLimit?.type]).toEqual([6 * 3600_000, 'daily']);
    const noBody = toZoomApiError(rivetError('[502]: Request was unsuccessful with no further context'), now);
    expect([noBody.status, noBody.code, noBody.permanent]).toEqual([502, undefined, false]);
    const network = toZoomApiError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), now);
    expect([network.status, network.permanent]).toEqual([0, false]);
  });
});

describe('kinds of 429', () => {
  const now = Date.UTC(2031, 4, 30, 5, 0, 0);
  const registrantMessage =
    'You have exceeded the daily rate limit of (3) for Add a webinar registrant API requests for the registrant (Busy@Example.org). You can resume these API requests at GMT 00:00:00.';
  const failure = (message: string, headers: Record<string, string>) => fromHttpFailure({ status: 429, code: 429, message, headers }, now);

  it('tells a per-registrant refusal by its headers (account budget left, no type) and the registrant it names', () => {
    const error = failure(registrantMessage, { 'x-ratelimit-category': 'Heavy', 'x-ratelimit-limit': '30000', 'x-ratelimit-remaining': '29811' });
    expect(error.rateLimit).toMatchObject({ scope: 'registrant', registrant: 'Busy@Example.org', type: 'daily', remaining: 29811 });
    expect([isAccountRateLimit(error), refusedRegistrant(error)]).toEqual([false, 'Busy@Example.org']);
    // No Retry-After: Zoom's message says 00:00 GMT, taken on the caller's clock.
    expect(rateLimitResetMs(error.rateLimit!, Date.UTC(2031, 4, 30, 23, 0, 0))).toBe(Date.UTC(2031, 4, 31));
    const withRetryAfter = failure(registrantMessage, { 'x-ratelimit-remaining': '12', 'retry-after': '2031-05-30T06:00:00Z' });
    expect(rateLimitResetMs(withRetryAfter.rateLimit!, now)).toBe(Date.UTC(2031, 4, 30, 6, 0, 0));
  });

  it('takes every 429 with an account signal, or of unknown kind, as the account’s', () => {
    const daily = failure('You have reached the maximum daily rate limit for this API.', {
      'x-ratelimit-category': 'Heavy',
      'x-ratelimit-type': 'Daily-limit',
      'x-ratelimit-limit': '30000',
      'x-ratelimit-remaining': '0',
      'retry-after': '2031-05-31T00:00:00Z',
    });
    expect([daily.rateLimit?.scope, daily.rateLimit?.type, daily.retryAfterMs, isAccountRateLimit(daily)]).toEqual(['account', 'daily', 19 * 3600_000, true]);
    const qps = failure('You have reached the maximum per-second rate limit for this API. Try again later.', { 'x-ratelimit-type': 'QPS', 'retry-after': '1' });
    expect([qps.rateLimit?.scope, qps.rateLimit?.type, qps.retryAfterMs, refusedRegistrant(qps)]).toEqual(['account', 'per-second', 1000, undefined]);
    // A registrant named while the headers say an account limit answered: that limit is what binds.
    expect(failure(registrantMessage, { 'x-ratelimit-type': 'Daily-limit', 'x-ratelimit-remaining': '0' }).rateLimit?.scope).toBe('account');
    // Remaining 0 alone may be the current second's budget, used up by coincidence: the registrant's quota still decides.
    expect(failure(registrantMessage, { 'x-ratelimit-category': 'Light', 'x-ratelimit-remaining': '0' }).rateLimit?.scope).toBe('registrant');
    const user = failure('You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user.', { 'x-ratelimit-remaining': '5893' });
    expect([user.rateLimit?.scope, isAccountRateLimit(user)]).toEqual(['user', true]);
    expect(failure('Too many requests.', {}).rateLimit?.scope).toBe('account');
    // Through rivet, whose error keeps only status, code and message, and with the headers recovered.
    const rivet = Object.assign(new Error(`[429/429]: "${registrantMessage}"`), { name: 'ApiResponseError' });
    expect(refusedRegistrant(toZoomApiError(rivet, now, { 'x-ratelimit-remaining': '7' }))).toBe('Busy@Example.org');
  });
});
