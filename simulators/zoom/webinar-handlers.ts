import { DateTime } from 'luxon';
import { ZOOM_SYSTEM_LANGUAGE_NAMES } from '../../src/domain/interpretation-languages.js';
import { isZoomTimeZone } from '../../src/providers/zoom/zoom-time-zones.js';
import type { SimContext } from './simulator-context.js';
import { lookupWebinar } from './simulator-context.js';
import { isRecord, isoSeconds, looksLikeEmail, validationFailed, zoomError, type FieldError } from './simulator-http.js';
import type { SimInterpreter, SimReply, SimWebinar, SimWebinarSettings } from './simulator-types.js';

/**
 * POST /users/{userId}/webinars, GET/PATCH/DELETE /webinars/{webinarId}, checked against the request schema in
 * Zoom's Meetings OpenAPI (webinarCreate / webinarUpdate) and the notes in /work/shared/notes/zoom-api.md §2.
 */
const WEBINAR_WRITES_PER_DAY = 100;
const START_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/;
const PASSWORD = /^[A-Za-z0-9@_*-]{1,10}$/;
const LEGACY_COUNTRY_IDS = new Set(['US', 'CN', 'JP', 'DE', 'FR', 'RU', 'PT', 'ES', 'KR']);
const SYSTEM_LANGUAGES = new Set<string>(ZOOM_SYSTEM_LANGUAGE_NAMES);

function twoOf(value: string, allowed: Set<string>): boolean {
  const parts = value.split(',').map((p) => p.trim());
  return parts.length === 2 && parts[0] !== parts[1] && parts.every((p) => allowed.has(p));
}

interface CheckedWebinar {
  fields: Record<string, unknown>;
  settings: Record<string, unknown>;
}

function checkWebinarBody(body: Record<string, unknown>, mode: 'create' | 'patch'): { errors: FieldError[]; value: CheckedWebinar } {
  const errors: FieldError[] = [];
  const bad = (field: string) => errors.push({ field, message: 'Invalid field.' });
  const fields: Record<string, unknown> = {};
  const optionalString = (key: string, max?: number) => {
    const v = body[key];
    if (v === undefined) return;
    if (typeof v !== 'string' || (max !== undefined && v.length > max)) bad(key);
    else fields[key] = v;
  };
  optionalString('topic', 200);
  optionalString('agenda', 2000);
  optionalString('timezone');
  if (body.type !== undefined) {
    if (mode === 'patch' || ![5, 6, 9].includes(body.type as number)) bad('type');
    else fields.type = body.type;
  }
  if (body.start_time !== undefined) {
    if (typeof body.start_time !== 'string' || !START_TIME.test(body.start_time)) bad('start_time');
    else fields.start_time = body.start_time;
  }
  // Zoom takes only the IDs of its own list, not every IANA name (Europe/Kyiv, Etc/UTC are refused).
  if (typeof fields.timezone === 'string' && !isZoomTimeZone(fields.timezone)) bad('timezone');
  if (body.duration !== undefined) {
    if (!Number.isInteger(body.duration) || (body.duration as number) < 0) bad('duration');
    else fields.duration = body.duration;
  }
  if (body.password !== undefined) {
    if (typeof body.password !== 'string' || !PASSWORD.test(body.password)) bad('password');
    else fields.password = body.password;
  }

  const settings: Record<string, unknown> = {};
  if (body.settings !== undefined && !isRecord(body.settings)) bad('settings');
  const s = isRecord(body.settings) ? body.settings : {};
  for (const [key, value] of Object.entries(s)) {
    if (key !== 'language_interpretation') settings[key] = value;
  }
  if (s.approval_type !== undefined && ![0, 1, 2].includes(s.approval_type as number)) bad('settings.approval_type');
  if (s.registration_type !== undefined && ![1, 2, 3].includes(s.registration_type as number)) bad('settings.registration_type');
  if (
    s.registrants_restrict_number !== undefined &&
    (!Number.isInteger(s.registrants_restrict_number) || (s.registrants_restrict_number as number) < 0 || (s.registrants_restrict_number as number) > 20_000)
  ) {
    bad('settings.registrants_restrict_number');
  }
  const li = s.language_interpretation;
  if (li !== undefined) {
    if (!isRecord(li)) bad('settings.language_interpretation');
    else {
      if (li.enable !== undefined && typeof li.enable !== 'boolean') bad('settings.language_interpretation.enable');
      const interpreters: SimInterpreter[] = [];
      if (li.interpreters !== undefined && !Array.isArray(li.interpreters)) bad('settings.language_interpretation.interpreters');
      (Array.isArray(li.interpreters) ? li.interpreters : []).forEach((item: unknown, i) => {
        const at = `settings.language_interpretation.interpreters[${i}]`;
        if (!isRecord(item)) return void bad(at);
        if (!looksLikeEmail(item.email)) bad(`${at}.email`);
        const names = item.interpreter_languages;
        const ids = item.languages;
        if (names === undefined && ids === undefined) bad(`${at}.interpreter_languages`);
        if (names !== undefined && (typeof names !== 'string' || !twoOf(names, SYSTEM_LANGUAGES))) bad(`${at}.interpreter_languages`);
        if (ids !== undefined && (typeof ids !== 'string' || !twoOf(ids, LEGACY_COUNTRY_IDS))) bad(`${at}.languages`);
        interpreters.push({
          email: String(item.email),
          ...(typeof names === 'string' ? { interpreter_languages: names } : {}),
          ...(typeof ids === 'string' ? { languages: ids } : {}),
        });
      });
      settings.language_interpretation = { enable: li.enable === true, interpreters };
    }
  }
  return { errors, value: { fields, settings } };
}

/** Zoom stores GMT; a local start_time is read in the webinar's timezone. */
function toGmt(startTime: string, timezone: string | undefined): string {
  if (startTime.endsWith('Z')) return startTime;
  const local = DateTime.fromISO(startTime, { zone: timezone ?? 'UTC' });
  return local.isValid ? isoSeconds(local.toMillis()) : startTime;
}

function quotaExceeded(ctx: SimContext, hostId: string): SimReply | undefined {
  if (ctx.quotas.webinarWrites.used(hostId) < WEBINAR_WRITES_PER_DAY) return undefined;
  // Wording modelled on the documented per-registrant message; the exact text for this quota is unverified.
  return zoomError(
    429,
    429,
    `You have exceeded the daily rate limit of (${WEBINAR_WRITES_PER_DAY}) for Create/Update webinar API requests for the user (${hostId}). You can resume these requests at GMT 00:00:00.`,
  );
}

export function webinarReply(w: SimWebinar): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...w.settings };
  return {
    uuid: w.uuid,
    id: w.id,
    host_id: w.hostId,
    host_email: w.hostEmail,
    topic: w.topic,
    type: w.type,
    status: 'waiting',
    ...(w.startTime === undefined ? {} : { start_time: w.startTime }),
    ...(w.duration === undefined ? {} : { duration: w.duration }),
    ...(w.timezone === undefined ? {} : { timezone: w.timezone }),
    ...(w.agenda === undefined ? {} : { agenda: w.agenda }),
    created_at: w.createdAt,
    start_url: w.startUrl,
    join_url: w.joinUrl,
    ...(w.settings.approval_type === 2 ? {} : { registration_url: w.registrationUrl }),
    password: w.password,
    settings,
    is_simulive: false,
    creation_source: 'open_api',
  };
}

function applyInterpretation(ctx: SimContext, settings: Record<string, unknown>): void {
  // The spec: "If this feature is not enabled on the host's account, this setting will not be applied."
  if (ctx.dropInterpretation && settings.language_interpretation !== undefined) {
    settings.language_interpretation = { enable: false, interpreters: [] };
  }
}

export function createWebinar(ctx: SimContext, userId: string, body: Record<string, unknown>): SimReply {
  const hostId = userId === 'me' ? 'sim-host' : userId;
  const limited = quotaExceeded(ctx, hostId);
  if (limited) return limited;
  const { errors, value } = checkWebinarBody(body, 'create');
  if (errors.length > 0) return validationFailed(errors);
  applyInterpretation(ctx, value.settings);
  const f = value.fields;
  const type = (f.type as 5 | 6 | 9 | undefined) ?? 5;
  const id = ctx.newWebinarId();
  const origin = ctx.origin();
  const settings: SimWebinarSettings = {
    ...value.settings,
    approval_type: (value.settings.approval_type as 0 | 1 | 2 | undefined) ?? 2,
    registration_type: (value.settings.registration_type as 1 | 2 | 3 | undefined) ?? 1,
    language_interpretation: (value.settings.language_interpretation as SimWebinarSettings['language_interpretation'] | undefined) ?? {
      enable: false,
      interpreters: [],
    },
  };
  const timezone = typeof f.timezone === 'string' ? f.timezone : undefined;
  const webinar: SimWebinar = {
    id,
    uuid: ctx.randomToken(16).slice(0, 22) + '==',
    hostId,
    hostEmail: hostId.includes('@') ? hostId : `${hostId}@sim.zoom.test`,
    topic: typeof f.topic === 'string' ? f.topic : 'Zoom Webinar',
    type,
    ...(typeof f.start_time === 'string' && type !== 6 ? { startTime: toGmt(f.start_time, timezone) } : {}),
    ...(timezone === undefined ? {} : { timezone }),
    ...(typeof f.duration === 'number' ? { duration: f.duration } : {}),
    ...(typeof f.agenda === 'string' ? { agenda: f.agenda } : {}),
    password: typeof f.password === 'string' ? f.password : ctx.randomToken(6).slice(0, 6),
    createdAt: isoSeconds(ctx.now()),
    settings,
    joinUrl: `${origin}/w/${id}`,
    startUrl: `${origin}/s/${id}?zak=${ctx.randomToken(24)}`,
    registrationUrl: `${origin}/webinar/register/WN_${ctx.randomToken(16)}`,
  };
  ctx.state.webinars.set(id, webinar);
  ctx.state.registrants.set(id, []);
  ctx.state.panelists.set(id, []);
  ctx.quotas.webinarWrites.add(hostId);
  return { status: 201, body: webinarReply(webinar) };
}

/** `GET /users/{userId}/webinars`: unexpired webinars of the host; the list form cuts agendas to 250 characters. */
export function listWebinars(ctx: SimContext, userId: string, query: URLSearchParams): SimReply {
  const hostId = userId === 'me' ? 'sim-host' : userId;
  const pageSize = Number(query.get('page_size') ?? 30);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 300) return validationFailed([{ field: 'page_size', message: 'Invalid field.' }]);
  const webinars = [...ctx.state.webinars.values()].filter((w) => w.hostId === hostId);
  return {
    status: 200,
    body: {
      page_size: pageSize,
      total_records: webinars.length,
      next_page_token: '',
      webinars: webinars.slice(0, pageSize).map((w) => {
        const full = webinarReply(w);
        return {
          uuid: full.uuid,
          id: full.id,
          host_id: full.host_id,
          topic: full.topic,
          type: full.type,
          ...(full.start_time === undefined ? {} : { start_time: full.start_time }),
          ...(full.duration === undefined ? {} : { duration: full.duration }),
          ...(full.timezone === undefined ? {} : { timezone: full.timezone }),
          ...(w.agenda === undefined ? {} : { agenda: w.agenda.slice(0, 250) }),
          created_at: full.created_at,
          join_url: full.join_url,
        };
      }),
    },
  };
}

export function getWebinar(ctx: SimContext, rawId: string): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  return { status: 200, body: webinarReply(found.webinar) };
}

export function updateWebinar(ctx: SimContext, rawId: string, body: Record<string, unknown>): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const w = found.webinar;
  const limited = quotaExceeded(ctx, w.hostId);
  if (limited) return limited;
  const { errors, value } = checkWebinarBody(body, 'patch');
  if (errors.length > 0) return validationFailed(errors);
  applyInterpretation(ctx, value.settings);
  const f = value.fields;
  if (typeof f.topic === 'string') w.topic = f.topic;
  if (typeof f.agenda === 'string') w.agenda = f.agenda;
  if (typeof f.timezone === 'string') w.timezone = f.timezone;
  if (typeof f.duration === 'number') w.duration = f.duration;
  if (typeof f.password === 'string') w.password = f.password;
  if (typeof f.start_time === 'string') w.startTime = toGmt(f.start_time, w.timezone);
  w.settings = { ...w.settings, ...value.settings } as SimWebinarSettings;
  ctx.quotas.webinarWrites.add(w.hostId);
  return { status: 204 };
}

export function deleteWebinar(ctx: SimContext, rawId: string): SimReply {
  const found = lookupWebinar(ctx, rawId);
  if (!found.ok) return found.reply;
  const id = found.webinar.id;
  ctx.state.webinars.delete(id);
  ctx.state.registrants.delete(id);
  ctx.state.panelists.delete(id);
  return { status: 204 };
}
