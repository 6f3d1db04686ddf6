import { describe, expect, it } from 'vitest';
import { bullmqLimiterFor, ZOOM_OPERATION_LABELS } from '../../../src/providers/zoom/rate-limits.js';
import { parseRetryAfter, parseRivetMessage, toZoomApiError } from '../../../src/providers/zoom/zoom-errors.js';

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
