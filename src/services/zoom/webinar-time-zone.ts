import { DateTime, IANAZone } from 'luxon';
import type { RoomPlan } from '../../domain/schedule.js';
import { ZOOM_TIME_ZONE_IDS, isZoomTimeZone, type ZoomTimeZoneId } from '../../providers/zoom/zoom-time-zones.js';

/** Instants in epoch milliseconds, both ends included. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * The local day(s) of a webinar in the programme zone: Zoom shows the webinar's times in its own zone, so that
 * zone must agree with ours for the whole day, not only during the sessions.
 */
export function webinarTimeWindow(room: Pick<RoomPlan, 'date' | 'startsAt' | 'endsAt'>, zone: string): TimeWindow {
  const dayAfter = DateTime.fromISO(room.endsAt, { zone }).plus({ days: 1 }).toISODate() ?? room.date;
  return {
    from: Math.min(dayStart(room.date, zone), DateTime.fromISO(room.startsAt).toMillis()),
    to: Math.max(dayStart(dayAfter, zone), DateTime.fromISO(room.endsAt).toMillis()),
  };
}

/** When the date begins: the first of two midnights at a fall-back, the first time shown where midnight is skipped. */
function dayStart(date: string, zone: string): number {
  const midnight = DateTime.fromISO(date, { zone }).startOf('day');
  return Math.min(midnight.toMillis(), ...midnight.getPossibleOffsets().map((dt) => dt.toMillis()));
}

/**
 * The ID from Zoom's list to send for a programme zone, or undefined when no listed zone has the same UTC offsets
 * at every instant of the window (the start time goes out in UTC, so leaving the field out keeps it right).
 * Among the listed zones that agree over the window, in this order: the zone itself; the same zone under another
 * name (Europe/Kyiv is listed as Europe/Kiev); the one whose offsets agree with it in most years before and after
 * (Africa/Lagos and its link Africa/Bangui in all of them; a Toronto-like zone with New York rather than with
 * Bogota, which only shares its winter offset).
 */
export function zoomTimeZoneFor(zone: string, window: TimeWindow): ZoomTimeZoneId | undefined {
  if (isZoomTimeZone(zone)) return zone;
  if (!IANAZone.isValidZone(zone)) return undefined;
  const own = IANAZone.create(zone);
  const overWindow = offsetProfile(own, window);
  const matches = ZOOM_TIME_ZONE_IDS.filter((id) => overWindow.sameAs(IANAZone.create(id)));
  if (matches.length === 0) return undefined;

  const canonical = canonicalName(zone);
  const renamed = matches.filter((id) => listedZoneFacts(id).canonical === canonical);
  if (renamed.length > 0) return renamed.find((id) => id === canonical) ?? renamed[0];

  const ownHistory = historyOf(own);
  const agreement = (id: ZoomTimeZoneId) => listedZoneFacts(id).history.filter((offset, i) => offset === ownHistory[i]).length;
  // On equal agreement the list's order decides, so the choice depends on nothing but the zones' rules.
  const scored = matches.map((id) => ({ id, score: agreement(id) }));
  return scored.reduce((best, c) => (c.score > best.score ? c : best)).id;
}

/**
 * Offsets twice a year from 1970 to 2037: linked zones share one history and agree in all of them, zones with
 * today's rules agree in the years ahead (tz data projects current rules forward), and zones that only share
 * this season's offset part every half year.
 */
const HISTORY: readonly number[] = Array.from({ length: (2037 - 1970 + 1) * 2 }, (_, i) =>
  Date.UTC(1970 + Math.floor(i / 2), (i % 2) * 6, 15, 12),
);

function historyOf(zone: IANAZone): number[] {
  return HISTORY.map((t) => zone.offset(t));
}

// Kept per listed zone once computed: the zones' rules do not change while the process runs.
const listedFacts = new Map<ZoomTimeZoneId, { canonical: string; history: number[] }>();
function listedZoneFacts(id: ZoomTimeZoneId): { canonical: string; history: number[] } {
  let facts = listedFacts.get(id);
  if (facts === undefined) {
    facts = { canonical: canonicalName(id), history: historyOf(IANAZone.create(id)) };
    listedFacts.set(id, facts);
  }
  return facts;
}

// A zone is sampled every three hours and each change found is narrowed to the millisecond. Another zone that
// agrees at every sample and on both sides of each change agrees throughout, unless it changed its offset twice
// within three hours, which no zone does.
const SAMPLE_MS = 3 * 60 * 60_000;

interface OffsetProfile {
  /** True when the other zone has the same offset as this one at every instant of the window. */
  sameAs(other: IANAZone): boolean;
}

function offsetProfile(zone: IANAZone, window: TimeWindow): OffsetProfile {
  const samples: number[] = [];
  for (let t = window.from; t < window.to; t += SAMPLE_MS) samples.push(t);
  samples.push(window.to);
  const edges: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const change = firstChange(zone, samples[i - 1]!, samples[i]!);
    if (change !== undefined) edges.push(change - 1, change);
  }
  // Ends and changes first: they reject most zones with the fewest lookups.
  const points = [window.from, window.to, ...edges, ...samples];
  const expected = points.map((t) => zone.offset(t));
  return { sameAs: (other) => points.every((t, i) => other.offset(t) === expected[i]) };
}

/** The first instant in (from, to] with another offset than `from`, assuming at most one change in between. */
function firstChange(zone: IANAZone, from: number, to: number): number | undefined {
  const before = zone.offset(from);
  if (zone.offset(to) === before) return undefined;
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * ICU's name for the zone, which resolves IANA's renames (Europe/Kyiv and Europe/Kiev give the same). An engine
 * that returns the name as given leaves renamed zones to the history score, where they agree in every year too.
 */
function canonicalName(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}
