import { describe, expect, it } from 'vitest';
import {
  formatDateTime,
  formatDayDate,
  formatLeadTime,
  formatList,
  formatShortDayDate,
  formatTime,
  formatUtcOffset,
  languageName,
} from '../../src/i18n/format.js';

const zone = 'Europe/Vienna';

describe('date and time formats', () => {
  it('write dates in each language', () => {
    expect(formatDayDate('2024-02-05', zone, 'en')).toMatch(/^Monday,? 5 February 2024$/);
    expect(formatDayDate('2024-02-05', zone, 'de')).toBe('Montag, 5. Februar 2024');
    expect(formatDayDate('2024-02-05', zone, 'fr')).toBe('lundi 5 février 2024');
    expect(formatDayDate('2024-02-05', zone, 'es')).toBe('lunes, 5 de febrero de 2024');
    expect(formatShortDayDate('2024-02-05', zone, 'de')).toMatch(/^Mo\.?, 5\. Feb\.?$/);
  });

  it('write times on the 24-hour clock in the given zone', () => {
    for (const language of ['en', 'de', 'fr', 'es'] as const) expect(formatTime('2024-02-05T08:00:00Z', zone, language)).toBe('09:00');
    expect(formatTime('2024-07-05T08:00:00Z', zone, 'en')).toBe('10:00');
    expect(formatTime('2024-02-05T08:00:00Z', 'America/New_York', 'en')).toBe('03:00');
    expect(formatDateTime('2024-02-05T08:00:00Z', zone, 'de')).toMatch(/Montag, 5\. Februar 2024.*09:00/);
    expect(() => formatTime('yesterday', zone, 'en')).toThrow(RangeError);
  });

  it('name the offset in effect at the instant', () => {
    expect(formatUtcOffset('2024-02-05T08:00:00Z', zone)).toBe('UTC+01:00');
    expect(formatUtcOffset('2024-07-05T08:00:00Z', zone)).toBe('UTC+02:00');
  });

  it('name languages and join lists in the reader’s language', () => {
    expect(languageName('de', 'en')).toBe('German');
    expect(languageName('de', 'de')).toBe('Deutsch');
    expect(languageName('de', 'fr')).toBe('allemand');
    expect(formatList(['English', 'German', 'French'], 'en')).toBe('English, German and French');
    expect(formatList(['Englisch', 'Deutsch'], 'de')).toBe('Englisch und Deutsch');
    expect(formatList(['inglés', 'alemán'], 'es')).toBe('inglés y alemán');
  });

  it('say how far ahead a reminder looks in whole days, hours or minutes', () => {
    expect(formatLeadTime(1440, 'en')).toBe('tomorrow');
    expect(formatLeadTime(1440, 'de')).toBe('morgen');
    expect(formatLeadTime(60, 'en')).toBe('in 1 hour');
    expect(formatLeadTime(60, 'fr')).toBe('dans 1 heure');
    expect(formatLeadTime(120, 'es')).toBe('dentro de 2 horas');
    expect(formatLeadTime(30, 'de')).toBe('in 30 Minuten');
  });
});
