import type { SimContext } from './simulator-context.js';
import { lookupWebinar } from './simulator-context.js';
import { isRecord, isoSeconds, looksLikeEmail, validationFailed, zoomError, type FieldError } from './simulator-http.js';
import type { SimPanelist, SimRegistrant, SimReply, SimWebinar } from './simulator-types.js';

/**
 * Registrants and panelists, after the Meetings OpenAPI operations webinarRegistrantCreate,
 * addBatchWebinarRegistrants, webinarRegistrants, webinarRegistrantStatus, webinarPanelistCreate and
 * webinarPanelists, plus the forum-reported quotas in /work/shared/notes/zoom-api.md §3.
 */
const MAX_PER_CALL = 30;
const ADDS_PER_REGISTRANT_PER_DAY = 3;
const STATUS_UPDATES_PER_REGISTRANT_PER_DAY = 10;
const MAX_PANELISTS = 100;
const PAGE_CURSOR_TTL_MS = 15 * 60_000;

interface RegistrantInput {
  email: string;
  firstName: string;
  lastName?: string;
}

function checkRegistrant(item: unknown, at: string, errors: FieldError[]): RegistrantInput | undefined {
  const bad = (field: string) => errors.push({ field: at ? `${at}.${field}` : field, message: 'Invalid field.' });
  if (!isRecord(item)) {
    errors.push({ field: at || 'body', message: 'Invalid field.' });
    return undefined;
  }
  const before = errors.length;
  if (!looksLikeEmail(item.email)) bad('email');
  if (typeof item.first_name !== 'string' || item.first_name.trim() === '' || item.first_name.length > 64) bad('first_name');
  if (item.last_name !== undefined && (typeof item.last_name !== 'string' || item.last_name.length > 64)) bad('last_name');
  if (errors.length > before) return undefined;
  return {
    email: String(item.email),
    firstName: String(item.first_name),
    ...(typeof item.last_name === 'string' ? { lastName: item.last_name } : {}),
  };
}

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function registrationClosed(w: SimWebinar): SimReply | undefined {
  if (w.settings.approval_type === 2) return zoomError(400, 3000, `This webinar does not have registration as required: ${w.id}.`);
  return undefined;
}

function dailyAddLimit(ctx: SimContext, email: string): SimReply | undefined {
  if (ctx.quotas.registrantAdds.used(email.toLowerCase()) < ADDS_PER_REGISTRANT_PER_DAY) return undefined;
  // Body as quoted on the developer forum (t/141856); headers are added with the account's budget (zoom-simulator.ts).
  return zoomError(
    429,
    429,
    `You have exceeded the daily rate limit of (${ADDS_PER_REGISTRANT_PER_DAY}) for Add a webinar registrant API requests for the registrant (${email}). You can resume these API requests at GMT 00:00:00.`,
  );
}

function conflictsWithRoles(ctx: SimContext, w: SimWebinar, email: string): SimReply | undefined {
  if (sameEmail(email, w.hostEmail)) return zoomError(400, 3027, 'Host cannot register.');
  if ((ctx.state.panelists.get(w.id) ?? []).some((p) => sameEmail(p.email, email))) {
    return zoomError(
      400,
      3000,
      'You have been invited as a panelist for the webinar, please check your email to find more information about this webinar.',
    );
  }
  return undefined;
}

function upsertRegistrant(ctx: SimContext, w: SimWebinar, input: RegistrantInput, approve: boolean): SimRegistrant {
  const list = ctx.state.registrants.get(w.id) ?? [];
  ctx.state.registrants.set(w.id, list);
  const existing = list.find((r) => sameEmail(r.email, input.email));
  // Re-adding a registered email hands back the same registrant (forum t/57798).
  if (existing && existing.status !== 'cancelled') {
    if (approve && existing.status === 'pending') existing.status = 'approved';
    return existing;
  }
  const status = approve ? 'approved' : 'pending';
  if (existing) {
    existing.status = status;
    return existing;
  }
  const token = ctx.randomToken(18);
  const registrant: SimRegistrant = {
    id: ctx.randomToken(16),
    webinarId: w.id,
    email: input.email,
    firstName: input.firstName,
    ...(input.lastName === undefined ? {} : { lastName: input.lastName }),
    status,
    token,
    joinUrl: `${ctx.origin()}/w/${w.id}?tk=${token}`,
    createTime: isoSeconds(ctx.now()),
  };
  list.push(registrant);
  return registrant;
}

export function addRegistrant(ctx: SimContext, rawId: string, body: Record<string, unknown>): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const w = found.webinar;
  const errors: FieldError[] = [];
  const input = checkRegistrant(body, '', errors);
  if (!input) return validationFailed(errors);
  const closed = registrationClosed(w);
  if (closed) return closed;
  const limited = dailyAddLimit(ctx, input.email);
  if (limited) return limited;
  const conflict = conflictsWithRoles(ctx, w, input.email);
  if (conflict) return conflict;
  ctx.quotas.registrantAdds.add(input.email.toLowerCase());
  const r = upsertRegistrant(ctx, w, input, w.settings.approval_type === 0);
  return {
    status: 201,
    body: {
      id: w.id,
      registrant_id: r.id,
      join_url: r.joinUrl,
      topic: w.topic,
      ...(w.startTime === undefined ? {} : { start_time: w.startTime }),
    },
  };
}

export function addBatchRegistrants(ctx: SimContext, rawId: string, body: Record<string, unknown>): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const w = found.webinar;
  if (w.type !== 5) {
    return zoomError(
      400,
      300,
      'This API can only be used for scheduled webinars (type 5). Batch registration is not supported for other webinar types.',
    );
  }
  const errors: FieldError[] = [];
  if (body.auto_approve !== undefined && typeof body.auto_approve !== 'boolean') errors.push({ field: 'auto_approve', message: 'Invalid field.' });
  const items = body.registrants;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_PER_CALL) {
    errors.push({ field: 'registrants', message: 'Invalid field.' });
    return validationFailed(errors);
  }
  const inputs = items.map((item, i) => checkRegistrant(item, `registrants[${i}]`, errors));
  if (errors.length > 0) return validationFailed(errors);
  const closed = registrationClosed(w);
  if (closed) return closed;
  const valid = inputs.filter((x): x is RegistrantInput => x !== undefined);
  for (const input of valid) {
    const blocked = dailyAddLimit(ctx, input.email) ?? conflictsWithRoles(ctx, w, input.email);
    if (blocked) return blocked;
  }
  // auto_approve approves even on a manual-approval webinar (notes §3).
  const approve = body.auto_approve === true || w.settings.approval_type === 0;
  const registrants = valid.map((input) => {
    ctx.quotas.registrantAdds.add(input.email.toLowerCase());
    const r = upsertRegistrant(ctx, w, input, approve);
    return { email: r.email, join_url: r.joinUrl, registrant_id: r.id };
  });
  return { status: 201, body: { registrants } };
}

export function listRegistrants(ctx: SimContext, rawId: string, query: URLSearchParams): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const w = found.webinar;
  const errors: FieldError[] = [];
  const status = query.get('status') ?? 'approved';
  if (!['pending', 'approved', 'denied'].includes(status)) errors.push({ field: 'status', message: 'Invalid field.' });
  const pageSizeRaw = query.get('page_size');
  const pageSize = pageSizeRaw === null ? 30 : Number(pageSizeRaw);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 300) errors.push({ field: 'page_size', message: 'Invalid field.' });
  let offset = 0;
  const tokenParam = query.get('next_page_token');
  if (tokenParam) {
    const cursor = ctx.pageCursors.get(tokenParam);
    if (!cursor || cursor.expiresAt <= ctx.now() || cursor.webinarId !== w.id || cursor.status !== status) {
      errors.push({ field: 'next_page_token', message: 'Invalid field.' });
    } else offset = cursor.offset;
  }
  if (errors.length > 0) return validationFailed(errors);
  const all = (ctx.state.registrants.get(w.id) ?? []).filter((r) => r.status === status);
  const page = all.slice(offset, offset + pageSize);
  let nextPageToken = '';
  if (offset + pageSize < all.length) {
    nextPageToken = ctx.randomToken(24);
    ctx.pageCursors.set(nextPageToken, { webinarId: w.id, status, offset: offset + pageSize, expiresAt: ctx.now() + PAGE_CURSOR_TTL_MS });
  }
  return {
    status: 200,
    body: {
      page_size: pageSize,
      total_records: all.length,
      page_count: Math.max(1, Math.ceil(all.length / pageSize)),
      next_page_token: nextPageToken,
      registrants: page.map((r) => ({
        id: r.id,
        email: r.email,
        first_name: r.firstName,
        ...(r.lastName === undefined ? {} : { last_name: r.lastName }),
        status: r.status,
        create_time: r.createTime,
        join_url: r.joinUrl,
      })),
    },
  };
}

const NEXT_STATUS = { approve: 'approved', deny: 'denied', cancel: 'cancelled' } as const;

export function updateRegistrantStatus(ctx: SimContext, rawId: string, body: Record<string, unknown>): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const w = found.webinar;
  const errors: FieldError[] = [];
  const action = body.action;
  if (action !== 'approve' && action !== 'deny' && action !== 'cancel') errors.push({ field: 'action', message: 'Invalid field.' });
  const items = body.registrants;
  if (items !== undefined && (!Array.isArray(items) || items.length > MAX_PER_CALL)) errors.push({ field: 'registrants', message: 'Invalid field.' });
  if (errors.length > 0) return validationFailed(errors);
  if (w.settings.approval_type === 2) return zoomError(400, 300, `Registration has not been enabled for this meeting: ${w.id}.`);
  const list = ctx.state.registrants.get(w.id) ?? [];
  const targets = (Array.isArray(items) ? items : []).flatMap((item: unknown) => {
    if (!isRecord(item)) return [];
    const match = list.find(
      (r) => (typeof item.id === 'string' && r.id === item.id) || (typeof item.email === 'string' && sameEmail(r.email, item.email)),
    );
    return match ? [match] : [];
  });
  const quotaKey = (r: SimRegistrant) => `${w.id}|${r.email.toLowerCase()}`;
  const over = targets.find((r) => ctx.quotas.statusUpdates.used(quotaKey(r)) >= STATUS_UPDATES_PER_REGISTRANT_PER_DAY);
  if (over) {
    // Limit reported on the forum (t/122482); the wording here is the simulator's.
    return zoomError(
      429,
      429,
      `You have exceeded the daily rate limit of (${STATUS_UPDATES_PER_REGISTRANT_PER_DAY}) for Update registrant's status API requests for the registrant (${over.email}). You can resume these requests at GMT 00:00:00.`,
    );
  }
  for (const r of targets) {
    ctx.quotas.statusUpdates.add(quotaKey(r));
    r.status = NEXT_STATUS[action as keyof typeof NEXT_STATUS];
  }
  return { status: 204 };
}

export function addPanelists(ctx: SimContext, rawId: string, body: Record<string, unknown>): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const w = found.webinar;
  const errors: FieldError[] = [];
  const items = body.panelists;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_PER_CALL) {
    return validationFailed([{ field: 'panelists', message: 'Invalid field.' }]);
  }
  const inputs = items.map((item: unknown, i) => {
    const at = `panelists[${i}]`;
    if (!isRecord(item) || !looksLikeEmail(item.email)) errors.push({ field: `${at}.email`, message: 'Invalid field.' });
    if (!isRecord(item) || typeof item.name !== 'string' || item.name.trim() === '') errors.push({ field: `${at}.name`, message: 'Invalid field.' });
    return isRecord(item) ? { email: String(item.email), name: String(item.name) } : undefined;
  });
  if (errors.length > 0) return validationFailed(errors);
  const list = ctx.state.panelists.get(w.id) ?? [];
  ctx.state.panelists.set(w.id, list);
  const fresh = inputs.filter((p) => p !== undefined && !list.some((x) => sameEmail(x.email, p.email)));
  if (list.length + fresh.length > MAX_PANELISTS) {
    return zoomError(400, 3000, 'You have reached the limit for the number of panelists you can add. Contact Zoom Support for more information.');
  }
  for (const p of inputs) {
    if (!p) continue;
    const existing = list.find((x) => sameEmail(x.email, p.email));
    if (existing) {
      existing.name = p.name;
      continue;
    }
    const token = ctx.randomToken(18);
    const panelist: SimPanelist = {
      id: ctx.randomToken(16),
      webinarId: w.id,
      email: p.email,
      name: p.name,
      token,
      joinUrl: `${ctx.origin()}/w/${w.id}?tk=${token}`,
    };
    list.push(panelist);
  }
  return { status: 201, body: { id: String(w.id), updated_at: isoSeconds(ctx.now()) } };
}

export function listPanelists(ctx: SimContext, rawId: string): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const list = ctx.state.panelists.get(found.webinar.id) ?? [];
  return {
    status: 200,
    body: { total_records: list.length, panelists: list.map((p) => ({ id: p.id, email: p.email, name: p.name, join_url: p.joinUrl })) },
  };
}
