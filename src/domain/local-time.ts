import { DateTime, IANAZone } from 'luxon';

export type LocalInstant =
  | { ok: true; instant: DateTime; ambiguous: boolean }
  | { ok: false; reason: 'invalid' | 'nonexistent' };

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Converts a wall-clock date and time in an IANA zone to one absolute instant.
 * luxon silently moves a time inside a spring-forward gap, so the result is compared with the input to
 * detect it. For a fall-back time that happens twice, the earlier instant is chosen: a session announced
 * as "02:30" starts the first time the clock shows 02:30, which is what attendees will act on.
 */
export function localToInstant(date: string, time: string, zone: string): LocalInstant {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) return { ok: false, reason: 'invalid' };
  if (dt.toFormat("yyyy-MM-dd'T'HH:mm") !== `${date}T${time}`) return { ok: false, reason: 'nonexistent' };
  const candidates = dt.getPossibleOffsets();
  const earliest = candidates.reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a), dt);
  return { ok: true, instant: earliest.toUTC(), ambiguous: candidates.length > 1 };
}
