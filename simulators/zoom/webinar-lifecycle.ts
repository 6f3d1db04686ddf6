import { signZoomWebhook } from '../../src/providers/zoom/webhook-signature.js';
import type { SimContext } from './simulator-context.js';
import { lookupWebinar } from './simulator-context.js';
import { isoSeconds, validationFailed, zoomError, type FieldError } from './simulator-http.js';
import type { SimParticipation, SimReply, SimWebinar, ZoomSimulatorOptions } from './simulator-types.js';

/**
 * A webinar's life after provisioning: it starts with the first join, people join and leave (each stay a row of
 * its own), it ends when the host ends it or its scheduled time is over; then GET /past_webinars/{id}/participants
 * (listWebinarParticipants in the Meetings OpenAPI) lists the stays.
 */
const PAGE_CURSOR_TTL_MS = 15 * 60_000;

export function participations(ctx: SimContext, w: SimWebinar): SimParticipation[] {
  let list = ctx.state.participations.get(w.id);
  if (!list) ctx.state.participations.set(w.id, (list = []));
  return list;
}

/** Returns the new stay and whether this join started the webinar. */
export function recordJoin(ctx: SimContext, w: SimWebinar, who: { token: string; name: string; email: string; registrantId?: string }): { stay: SimParticipation; started: boolean } {
  const started = w.startedAt === undefined || w.endedAt !== undefined;
  if (started) {
    w.startedAt = ctx.now();
    delete w.endedAt;
  }
  const list = participations(ctx, w);
  const stay: SimParticipation = { id: ctx.randomToken(16), userId: String(16_778_240 + list.length), joinAt: ctx.now(), ...who };
  list.push(stay);
  return { stay, started };
}

export function recordLeave(ctx: SimContext, w: SimWebinar, token: string): SimParticipation | undefined {
  const open = participations(ctx, w).find((p) => p.token === token && p.leaveAt === undefined);
  if (open) open.leaveAt = ctx.now();
  return open;
}

/** Ends the webinar now: everyone still in leaves. False when it was not running. */
export function endWebinar(ctx: SimContext, w: SimWebinar): boolean {
  if (w.startedAt === undefined || w.endedAt !== undefined) return false;
  w.endedAt = ctx.now();
  for (const p of participations(ctx, w)) if (p.leaveAt === undefined) p.leaveAt = w.endedAt;
  return true;
}

/** Running webinars whose scheduled start + duration has passed. */
export function overdue(ctx: SimContext): SimWebinar[] {
  return [...ctx.state.webinars.values()].filter((w) => {
    if (w.startedAt === undefined || w.endedAt !== undefined || !w.startTime || !w.duration) return false;
    return Date.parse(w.startTime) + w.duration * 60_000 <= ctx.now();
  });
}

export function pastParticipants(ctx: SimContext, rawId: string, query: URLSearchParams): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const w = found.webinar;
  // A webinar that has not ended has no past instance yet: Zoom answers as for an unknown one.
  if (w.endedAt === undefined) return zoomError(404, 3001, `Webinar does not exist: ${rawId}.`);
  const errors: FieldError[] = [];
  const pageSizeRaw = query.get('page_size');
  const pageSize = pageSizeRaw === null ? 30 : Number(pageSizeRaw);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 300) errors.push({ field: 'page_size', message: 'Invalid field.' });
  let offset = 0;
  const tokenParam = query.get('next_page_token');
  if (tokenParam) {
    const cursor = ctx.pageCursors.get(tokenParam);
    if (!cursor || cursor.expiresAt <= ctx.now() || cursor.webinarId !== w.id || cursor.status !== 'past') return zoomError(400, 300, 'The next page token is invalid or expired.');
    offset = cursor.offset;
  }
  if (errors.length > 0) return validationFailed(errors);
  // "registrant_id … only returns if you pass the registrant_id value for the include_fields query parameter".
  const withRegistrant = (query.get('include_fields') ?? '').split(',').includes('registrant_id');
  const all = participations(ctx, w);
  const page = all.slice(offset, offset + pageSize);
  let nextPageToken = '';
  if (offset + pageSize < all.length) {
    nextPageToken = ctx.randomToken(24);
    ctx.pageCursors.set(nextPageToken, { webinarId: w.id, status: 'past', offset: offset + pageSize, expiresAt: ctx.now() + PAGE_CURSOR_TTL_MS });
  }
  return {
    status: 200,
    body: {
      page_count: Math.max(1, Math.ceil(all.length / pageSize)),
      page_size: pageSize,
      total_records: all.length,
      next_page_token: nextPageToken,
      participants: page.map((p) => {
        const leaveAt = p.leaveAt ?? w.endedAt ?? ctx.now();
        return {
          id: p.id,
          name: p.name,
          user_id: p.userId,
          ...(withRegistrant && p.registrantId ? { registrant_id: p.registrantId } : {}),
          user_email: p.email,
          join_time: isoSeconds(p.joinAt),
          leave_time: isoSeconds(leaveAt),
          duration: Math.round((leaveAt - p.joinAt) / 1000),
          failover: false,
          status: 'in_meeting',
          internal_user: false,
        };
      }),
    },
  };
}

export function webinarObject(ctx: SimContext, w: SimWebinar): Record<string, unknown> {
  return {
    id: String(w.id),
    uuid: w.uuid,
    host_id: w.hostId,
    topic: w.topic,
    type: w.type,
    start_time: w.startTime ?? isoSeconds(ctx.now()),
    timezone: w.timezone ?? 'UTC',
    duration: w.duration ?? 60,
  };
}

export function participantObject(p: SimParticipation, at: 'join_time' | 'leave_time'): Record<string, unknown> {
  return {
    user_id: p.userId,
    user_name: p.name,
    email: p.email,
    registrant_id: p.registrantId ?? '',
    participant_uuid: p.id,
    [at]: isoSeconds(at === 'join_time' ? p.joinAt : (p.leaveAt ?? p.joinAt)),
  };
}

/** A signed notification as Zoom sends it (https://developers.zoom.us/docs/api/webhooks/). */
export async function postWebhook(ctx: SimContext, webhook: NonNullable<ZoomSimulatorOptions['webhook']>, event: string, object: Record<string, unknown>): Promise<number> {
  const rawBody = JSON.stringify({ event, event_ts: ctx.now(), payload: { account_id: ctx.accountId, object } });
  const timestamp = String(Math.floor(ctx.now() / 1000));
  const response = await fetch(webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signZoomWebhook({ rawBody, timestamp, secretToken: webhook.secretToken }) },
    body: rawBody,
    signal: AbortSignal.timeout(3000),
  });
  await response.arrayBuffer();
  return response.status;
}
