import {
  HEAVY_SHARED_DAILY_CAP,
  rateLimitCategoryName,
  zoomLabelLimit,
  type ZoomPlan,
  type ZoomRateLimitLabel,
} from '../../src/providers/zoom/rate-limits.js';
import { nextUtcMidnightIso, utcDay, zoomError } from './simulator-http.js';
import type { SimReply } from './simulator-types.js';

/**
 * Account-level limits as https://developers.zoom.us/docs/api/rate-limits/ describes them: a per-second budget per
 * label and, where documented, a daily one. Headers follow the documented daily example (t/18928); the per-second
 * `X-RateLimit-Type: QPS` value and the whole-second Retry-After are this simulator's reading of the docs, unverified.
 */
export interface SimRateLimiter {
  check(label: ZoomRateLimitLabel): SimReply | undefined;
  /**
   * The label's account budget as `X-RateLimit-Category/-Limit/-Remaining`: the daily one where the plan has it,
   * else the current second's. Zoom sends these on user- and registrant-level refusals too, where the account still
   * has budget left, but no `X-RateLimit-Type` or `Retry-After` (devforum t/18928).
   */
  budgetHeaders(label: ZoomRateLimitLabel): Record<string, string>;
}

export function createSimRateLimiter(options: {
  plan: ZoomPlan;
  now: () => number;
  perSecondLimits: Partial<Record<ZoomRateLimitLabel, number>>;
  dailyLimits?: Partial<Record<ZoomRateLimitLabel, number>>;
}): SimRateLimiter {
  const { plan, now, perSecondLimits, dailyLimits = {} } = options;
  const windows = new Map<ZoomRateLimitLabel, { start: number; count: number }>();
  const daily = new Map<string, number>();

  function dailyKeyAndCap(label: ZoomRateLimitLabel): { key: string; cap: number } | undefined {
    const override = dailyLimits[label];
    if (override !== undefined) return { key: label, cap: override };
    const shared = HEAVY_SHARED_DAILY_CAP[plan];
    if (shared !== undefined && (label === 'heavy' || label === 'resource-intensive')) return { key: 'heavy+resource', cap: shared };
    const perDay = zoomLabelLimit(plan, label).perDay;
    return perDay === undefined ? undefined : { key: label, cap: perDay };
  }

  return {
    check(label) {
      const t = now();
      const category = rateLimitCategoryName(label);
      const dailyCap = dailyKeyAndCap(label);
      if (dailyCap) {
        const key = `${utcDay(t)}|${dailyCap.key}`;
        const used = daily.get(key) ?? 0;
        if (used >= dailyCap.cap) {
          return {
            ...zoomError(429, 429, `You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.`),
            headers: {
              'X-RateLimit-Category': category,
              'X-RateLimit-Type': 'Daily-limit',
              'X-RateLimit-Limit': String(dailyCap.cap),
              'X-RateLimit-Remaining': '0',
              'Retry-After': nextUtcMidnightIso(t),
            },
          };
        }
      }
      const { max: defaultMax, windowMs } = zoomLabelLimit(plan, label);
      const max = perSecondLimits[label] ?? defaultMax;
      const windowStart = Math.floor(t / windowMs) * windowMs;
      const window = windows.get(label);
      const current = window && window.start === windowStart ? window : { start: windowStart, count: 0 };
      if (current.count >= max) {
        return {
          ...zoomError(429, 429, 'You have reached the maximum per-second rate limit for this API. Try again later.'),
          headers: {
            'X-RateLimit-Category': category,
            'X-RateLimit-Type': 'QPS',
            'X-RateLimit-Limit': String(max),
            'X-RateLimit-Remaining': '0',
            'Retry-After': String(Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000))),
          },
        };
      }
      current.count += 1;
      windows.set(label, current);
      if (dailyCap) {
        const key = `${utcDay(t)}|${dailyCap.key}`;
        daily.set(key, (daily.get(key) ?? 0) + 1);
      }
      return undefined;
    },
    budgetHeaders(label) {
      const t = now();
      const category = rateLimitCategoryName(label);
      const dailyCap = dailyKeyAndCap(label);
      if (dailyCap) {
        const used = daily.get(`${utcDay(t)}|${dailyCap.key}`) ?? 0;
        return { 'X-RateLimit-Category': category, 'X-RateLimit-Limit': String(dailyCap.cap), 'X-RateLimit-Remaining': String(Math.max(0, dailyCap.cap - used)) };
      }
      const { max: defaultMax, windowMs } = zoomLabelLimit(plan, label);
      const max = perSecondLimits[label] ?? defaultMax;
      const window = windows.get(label);
      const used = window && window.start === Math.floor(t / windowMs) * windowMs ? window.count : 0;
      return { 'X-RateLimit-Category': category, 'X-RateLimit-Limit': String(max), 'X-RateLimit-Remaining': String(Math.max(0, max - used)) };
    },
  };
}

/** Per-user and per-registrant quotas that reset at 00:00 UTC (notes §2–§3). */
export interface DailyQuota {
  used(key: string): number;
  add(key: string, n?: number): void;
}

export function createDailyQuota(now: () => number): DailyQuota {
  const counts = new Map<string, number>();
  const k = (key: string) => `${utcDay(now())}|${key}`;
  return {
    used: (key) => counts.get(k(key)) ?? 0,
    add(key, n = 1) {
      counts.set(k(key), (counts.get(k(key)) ?? 0) + n);
    },
  };
}
