import ical, { ICalCalendarMethod, escape as escapeIcalText } from 'ical-generator';
import { DateTime, IANAZone } from 'luxon';
import type { Translate } from '../../../i18n/i18n.js';
import type { Language } from '../../../i18n/languages.js';

export interface CalendarSession {
  id: string;
  title: string;
  description?: string;
  /** UTC ISO instants. */
  startsAt: string;
  endsAt: string;
  /** Our join link; never a provider URL, which would bypass the join window and revocation. */
  joinUrl: string;
  /** Where it takes place: a BigBlueButton room or the Zoom webinar (the LOCATION, in the reader's language). */
  kind: 'academy' | 'conference';
}

export interface CalendarModel {
  language: Language;
  event: { id: string; title: string; timezone: string };
  participantId: string;
  /** Increases whenever the programme changes, so clients replace rather than duplicate events. */
  sequence: number;
  sessions: CalendarSession[];
  pageUrl: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function offsetString(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function localStamp(ms: number, offsetMinutes: number): string {
  return DateTime.fromMillis(ms + offsetMinutes * 60_000, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss");
}

/**
 * ical-generator has no time zone database and @touch4it/ical-timezones is not a dependency, but luxon reads
 * the runtime's IANA data, so the VTIMEZONE is derived from it: one observance per actual offset change in the
 * years the sessions span, each with an explicit DTSTART instead of an RRULE. That is exact for the period the
 * feed covers and never guesses about rules that governments change.
 */
// A few milliseconds of offset probing per call, and the answer depends only on the zone and the years: every
// feed and every mail's calendar part of an event asks the same question.
const VTIMEZONE_CACHE_MAX = 64;
const vtimezones = new Map<string, string>();

export function vtimezoneFor(zoneName: string, fromMs: number, toMs: number): string {
  const key = `${zoneName}|${new Date(fromMs).getUTCFullYear()}|${new Date(toMs).getUTCFullYear()}`;
  const known = vtimezones.get(key);
  if (known !== undefined) return known;
  const computed = computeVtimezone(zoneName, fromMs, toMs);
  if (vtimezones.size >= VTIMEZONE_CACHE_MAX) vtimezones.delete(vtimezones.keys().next().value ?? '');
  vtimezones.set(key, computed);
  return computed;
}

function computeVtimezone(zoneName: string, fromMs: number, toMs: number): string {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${zoneName}`);
  const start = DateTime.fromMillis(fromMs, { zone: 'utc' }).startOf('year').toMillis();
  const end = DateTime.fromMillis(toMs, { zone: 'utc' }).endOf('year').toMillis();

  const observance = (kind: 'STANDARD' | 'DAYLIGHT', at: number, from: number, to: number): string[] => [
    `BEGIN:${kind}`,
    // RFC 5545: DTSTART of an observance is local time in the offset that was in effect before it.
    `DTSTART:${localStamp(at, from)}`,
    `TZOFFSETFROM:${offsetString(from)}`,
    `TZOFFSETTO:${offsetString(to)}`,
    `TZNAME:${zone.offsetName(at, { format: 'short', locale: 'en-GB' }) ?? offsetString(to)}`,
    `END:${kind}`,
  ];

  const initial = zone.offset(start);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zoneName}`, `X-LIC-LOCATION:${zoneName}`];
  lines.push(...observance('STANDARD', start, initial, initial));

  let previousMs = start;
  let previousOffset = initial;
  for (let ms = start + DAY_MS; ms <= end + DAY_MS; ms += DAY_MS) {
    const offset = zone.offset(ms);
    if (offset === previousOffset) {
      previousMs = ms;
      continue;
    }
    // Narrow to the minute: transitions happen on whole minutes in every zone in use.
    let lo = previousMs;
    let hi = ms;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000;
      if (zone.offset(mid) === previousOffset) lo = mid;
      else hi = mid;
    }
    // Whichever side of the year has the larger offset is daylight time, also where it is negative (Dublin).
    const kind = offset > previousOffset ? 'DAYLIGHT' : 'STANDARD';
    lines.push(...observance(kind, hi, previousOffset, offset));
    previousMs = ms;
    previousOffset = offset;
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

export function calendarUid(sessionId: string, eventId: string): string {
  return `${sessionId}.${eventId}@academy-orchestrator`;
}

export function renderCalendar(model: CalendarModel, t: Translate): string {
  const zone = model.event.timezone;
  const instants = model.sessions.flatMap((s) => [Date.parse(s.startsAt), Date.parse(s.endsAt)]);
  if (instants.some((ms) => Number.isNaN(ms))) throw new RangeError('session with an invalid instant');
  const from = instants.length ? Math.min(...instants) : Date.now();
  const to = instants.length ? Math.max(...instants) : from;

  const calendar = ical({
    // ical-generator writes the calendar name verbatim (event texts it escapes); a newline in a title would
    // otherwise inject properties into every participant's feed.
    name: escapeIcalText(model.event.title, false),
    method: ICalCalendarMethod.PUBLISH,
    prodId: { company: 'academy-orchestrator', product: 'participant-calendar', language: model.language.toUpperCase() },
    // A calendar-level zone name would also make ical-generator write DTSTAMP as zone-less local time, which
    // RFC 5545 forbids (it must be UTC); so only the generator is given and the events carry the TZID. No
    // X-WR-TIMEZONE either: ical-generator writes x-properties after the events, where RFC 5545 allows none.
    timezone: { name: null, generator: (tz) => (tz === zone ? vtimezoneFor(tz, from, to) : null) },
    // Subscribed clients poll; an hour keeps programme changes visible well before a session.
    ttl: 60 * 60,
  });

  for (const session of model.sessions) {
    const details = [
      session.description,
      t('calendar.join', { url: session.joinUrl }),
      t('calendar.programme', { url: model.pageUrl }),
      t('calendar.personal'),
    ].filter((part): part is string => Boolean(part));
    calendar.createEvent({
      id: calendarUid(session.id, model.event.id),
      sequence: model.sequence,
      // Luxon values carry the zone, so ical-generator writes wall-clock times with TZID instead of UTC.
      start: DateTime.fromISO(session.startsAt, { zone: 'utc' }).setZone(zone),
      end: DateTime.fromISO(session.endsAt, { zone: 'utc' }).setZone(zone),
      timezone: zone,
      summary: session.title,
      description: details.join('\n\n'),
      location: session.kind === 'academy' ? t('calendar.locationAcademy') : t('calendar.locationConference'),
      url: session.joinUrl,
    });
  }
  return calendar.toString();
}
