import { DateTime } from 'luxon';
import type { ProgrammeInput } from '../src/domain/programme.js';

/** Zones tried in order: the event's own first, then others where it is daytime now. */
const FALLBACK_ZONES = ['Europe/Vienna', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Pacific/Auckland'];

/**
 * Moves a programme so that its first day is today and its first session starts `leadMinutes` from now,
 * keeping every day's sessions at the same offsets. Times that would cross midnight are avoided by
 * picking a zone where the whole day still fits.
 */
export function programmeAroundNow(source: ProgrammeInput, now: Date, leadMinutes: number): ProgrammeInput {
  const days = [...source.days].sort((a, b) => a.date.localeCompare(b.date));
  const first = days[0];
  const firstSession = first?.sessions[0];
  if (!first || !firstSession) throw new Error('the programme has no sessions');
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const earliest = Math.min(...days.flatMap((d) => d.sessions.map((s) => toMinutes(s.start))));
  const latest = Math.max(...days.flatMap((d) => d.sessions.map((s) => toMinutes(s.end))));
  const zones = [source.timezone, ...FALLBACK_ZONES.filter((z) => z !== source.timezone)];
  for (const zone of zones) {
    const local = DateTime.fromJSDate(now, { zone }).plus({ minutes: leadMinutes });
    const startMinute = local.hour * 60 + local.minute + 1;
    const shift = startMinute - earliest;
    if (earliest + shift < 0 || latest + shift > 23 * 60 + 59) continue;
    const firstDate = DateTime.fromISO(first.date);
    const today = local.startOf('day');
    const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    return {
      ...source,
      timezone: zone,
      days: days.map((day) => ({
        ...day,
        date: today.plus({ days: DateTime.fromISO(day.date).diff(firstDate, 'days').days }).toISODate() ?? day.date,
        sessions: day.sessions.map((s) => ({ ...s, start: fmt(toMinutes(s.start) + shift), end: fmt(toMinutes(s.end) + shift) })),
      })),
    };
  }
  throw new Error('no zone where the programme fits into today');
}
