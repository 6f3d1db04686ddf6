import { DateTime } from 'luxon';
import { localeFor, type Language } from './languages.js';

// Dates and times go through Intl (luxon's toLocaleString is Intl.DateTimeFormat) in the language's locale and
// the event's zone; only the storage format (UTC ISO) is ours.

function inZone(iso: string, zone: string, language: Language): DateTime {
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`not an ISO instant: ${iso}`);
  return dt.setZone(zone).setLocale(localeFor(language));
}

/** "Monday, 5 February 2024", "Montag, 5. Februar 2024", "lundi 5 février 2024", "lunes, 5 de febrero de 2024". */
export function formatDayDate(date: string, zone: string, language: Language): string {
  // Noon: a date has one noon in every zone, whatever its transitions.
  const noon = DateTime.fromISO(`${date}T12:00`, { zone });
  if (!noon.isValid) throw new RangeError(`not a date: ${date}`);
  return noon.setLocale(localeFor(language)).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/** "Mon 5 Feb", "Mo., 5. Feb.": for lists of changes where the year is obvious. */
export function formatShortDayDate(date: string, zone: string, language: Language): string {
  const noon = DateTime.fromISO(`${date}T12:00`, { zone });
  if (!noon.isValid) throw new RangeError(`not a date: ${date}`);
  return noon.setLocale(localeFor(language)).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short' });
}

/** "09:00": 24-hour clock in all four languages. */
export function formatTime(iso: string, zone: string, language: Language): string {
  return inZone(iso, zone, language).toLocaleString({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** "Monday, 5 February 2024 at 09:00" in the language's own order and punctuation. */
export function formatDateTime(iso: string, zone: string, language: Language): string {
  return inZone(iso, zone, language).toLocaleString({
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

/** "UTC+01:00" at that instant: the offset people compare with their own clock. */
export function formatUtcOffset(iso: string, zone: string): string {
  return `UTC${DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('ZZ')}`;
}

/** "German" / "Deutsch" / "allemand" / "alemán": a language named in the reader's language. */
export function languageName(code: string, language: Language): string {
  return new Intl.DisplayNames([localeFor(language)], { type: 'language', fallback: 'code' }).of(code) ?? code;
}

/** "English, German and French" with the language's conjunction. */
export function formatList(items: readonly string[], language: Language): string {
  return new Intl.ListFormat(localeFor(language), { style: 'long', type: 'conjunction' }).format(items);
}

export function formatNumber(value: number, language: Language, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(localeFor(language), { maximumFractionDigits }).format(value);
}

/**
 * How far ahead a reminder looks: "tomorrow", "in 2 days", "in 1 hour", "in 30 minutes" (Intl.RelativeTimeFormat,
 * so no plural rules of our own). Whole days and hours read better than "in 1,440 minutes".
 */
export function formatLeadTime(minutes: number, language: Language): string {
  const format = new Intl.RelativeTimeFormat(localeFor(language), { numeric: 'auto' });
  if (minutes % 1440 === 0) return format.format(minutes / 1440, 'day');
  if (minutes % 60 === 0) return format.format(minutes / 60, 'hour');
  return format.format(minutes, 'minute');
}
