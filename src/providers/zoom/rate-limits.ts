/**
 * Zoom's account-wide rate limits, shared by every app on the account
 * (https://developers.zoom.us/docs/api/rate-limits/, summarised in /work/shared/notes/zoom-api.md §4).
 * Each operation's label comes from the "Rate Limit Label" line of its description in the Meetings OpenAPI.
 */
export type ZoomPlan = 'free' | 'pro' | 'business';
export type ZoomRateLimitLabel = 'light' | 'medium' | 'heavy' | 'resource-intensive';

export interface ZoomLabelLimit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
  /** Per-label daily cap, where Zoom documents one for the plan. */
  perDay?: number;
}

export const ZOOM_RATE_LIMITS: Readonly<Record<ZoomPlan, Readonly<Record<ZoomRateLimitLabel, ZoomLabelLimit>>>> = {
  free: {
    light: { max: 4, windowMs: 1000, perDay: 6000 },
    medium: { max: 2, windowMs: 1000, perDay: 2000 },
    heavy: { max: 1, windowMs: 1000, perDay: 1000 },
    'resource-intensive': { max: 10, windowMs: 60_000 },
  },
  pro: {
    light: { max: 30, windowMs: 1000 },
    medium: { max: 20, windowMs: 1000 },
    heavy: { max: 10, windowMs: 1000 },
    'resource-intensive': { max: 10, windowMs: 60_000 },
  },
  business: {
    light: { max: 80, windowMs: 1000 },
    medium: { max: 60, windowMs: 1000 },
    heavy: { max: 40, windowMs: 1000 },
    'resource-intensive': { max: 20, windowMs: 60_000 },
  },
};

/** On paid plans Heavy and Resource-intensive calls draw from one daily pool. */
export const HEAVY_SHARED_DAILY_CAP: Readonly<Record<ZoomPlan, number | undefined>> = {
  free: undefined,
  pro: 30_000,
  business: 60_000,
};

export type ZoomOperation =
  | 'createWebinar'
  | 'listWebinars'
  | 'getWebinar'
  | 'updateWebinar'
  | 'deleteWebinar'
  | 'addRegistrant'
  | 'addBatchRegistrants'
  | 'listRegistrants'
  | 'updateRegistrantStatus'
  | 'addPanelists'
  | 'listPanelists'
  | 'listPastParticipants';

export const ZOOM_OPERATION_LABELS: Readonly<Record<ZoomOperation, ZoomRateLimitLabel>> = {
  createWebinar: 'light',
  listWebinars: 'medium',
  getWebinar: 'light',
  updateWebinar: 'light',
  deleteWebinar: 'light',
  addRegistrant: 'light',
  addBatchRegistrants: 'heavy',
  listRegistrants: 'medium',
  updateRegistrantStatus: 'medium',
  addPanelists: 'medium',
  listPanelists: 'medium',
  listPastParticipants: 'medium',
};

/** The value Zoom puts in `X-RateLimit-Category` (the documented example says "Heavy"). */
export function rateLimitCategoryName(label: ZoomRateLimitLabel): string {
  return label === 'resource-intensive' ? 'Resource-intensive' : label.charAt(0).toUpperCase() + label.slice(1);
}

export function zoomLabelLimit(plan: ZoomPlan, label: ZoomRateLimitLabel): ZoomLabelLimit {
  return ZOOM_RATE_LIMITS[plan][label];
}

export interface BullmqLimiter {
  max: number;
  duration: number;
}

/**
 * A BullMQ worker `limiter` for one label. The limits belong to the whole account, so a worker that is not the
 * only Zoom caller should claim a share (`share` 0..1) rather than the full rate; never less than one request.
 */
export function bullmqLimiterFor(plan: ZoomPlan, label: ZoomRateLimitLabel, share = 1): BullmqLimiter {
  if (!(share > 0 && share <= 1)) throw new RangeError(`share must be in (0, 1], got ${share}`);
  const { max, windowMs } = zoomLabelLimit(plan, label);
  return { max: Math.max(1, Math.floor(max * share)), duration: windowMs };
}
