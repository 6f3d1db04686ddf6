import { randomBytes, randomInt } from 'node:crypto';
import type { DailyQuota } from './simulator-limits.js';
import { createDailyQuota } from './simulator-limits.js';
import type { SimReply, SimWebinar, ZoomSimulatorState } from './simulator-types.js';
import { zoomError } from './simulator-http.js';

export interface RegistrantPageCursor {
  webinarId: number;
  status: string;
  offset: number;
  expiresAt: number;
}

export interface SimContext {
  state: ZoomSimulatorState;
  now: () => number;
  origin: () => string;
  accountId: string;
  dropInterpretation: boolean;
  quotas: { webinarWrites: DailyQuota; registrantAdds: DailyQuota; statusUpdates: DailyQuota };
  pageCursors: Map<string, RegistrantPageCursor>;
  newWebinarId(): number;
  randomToken(bytes?: number): string;
}

export function createSimContext(input: {
  now: () => number;
  origin: () => string;
  accountId: string;
  dropInterpretation: boolean;
}): SimContext {
  // Real webinar numbers are 10–11 digits; start somewhere random so tests never rely on a fixed id.
  let nextId = 81_000_000_000 + randomInt(0, 1_000_000_000);
  return {
    ...input,
    state: { webinars: new Map(), registrants: new Map(), panelists: new Map(), joins: [], participations: new Map() },
    quotas: {
      webinarWrites: createDailyQuota(input.now),
      registrantAdds: createDailyQuota(input.now),
      statusUpdates: createDailyQuota(input.now),
    },
    pageCursors: new Map(),
    newWebinarId: () => (nextId += 1 + randomInt(0, 1000)),
    randomToken: (bytes = 16) => randomBytes(bytes).toString('base64url'),
  };
}

export type WebinarLookup = { ok: true; webinar: SimWebinar } | { ok: false; reply: SimReply };

export function lookupWebinar(ctx: SimContext, rawId: string): WebinarLookup {
  if (!/^\d{1,19}$/.test(rawId)) return { ok: false, reply: zoomError(400, 300, 'Invalid webinar ID.') };
  const webinar = ctx.state.webinars.get(Number(rawId));
  if (!webinar) return { ok: false, reply: zoomError(404, 3001, `Webinar does not exist: ${rawId}.`) };
  return { ok: true, webinar };
}
