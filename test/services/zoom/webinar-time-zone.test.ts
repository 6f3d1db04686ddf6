import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ZOOM_TIME_ZONE_IDS, isZoomTimeZone } from '../../../src/providers/zoom/zoom-time-zones.js';
import { webinarTimeWindow, zoomTimeZoneFor, type TimeWindow } from '../../../src/services/zoom/webinar-time-zone.js';

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toMillis();
const windowOf = (fromIso: string, toIso: string): TimeWindow => ({ from: utc(fromIso), to: utc(toIso) });

// Two days each, chosen around transitions: the conference of 2024, US spring forward (03-10), EU spring forward
// (03-31), the southern hemisphere's fall back (04-07), EU fall back (10-27), and a plain June day of 2030.
const WINDOWS: Record<string, TimeWindow> = {
  'HRGL 2024': windowOf('2024-02-07T12:00:00Z', '2024-02-09T12:00:00Z'),
  'US spring forward': windowOf('2024-03-09T12:00:00Z', '2024-03-11T12:00:00Z'),
  'EU spring forward': windowOf('2024-03-30T12:00:00Z', '2024-04-01T12:00:00Z'),
  'south fall back': windowOf('2024-04-06T00:00:00Z', '2024-04-08T00:00:00Z'),
  'EU fall back': windowOf('2024-10-26T12:00:00Z', '2024-10-28T12:00:00Z'),
  'June 2030': windowOf('2030-06-04T00:00:00Z', '2030-06-06T00:00:00Z'),
};

// Names Intl resolves but does not list in supportedValuesOf (it lists one canonical name per zone).
const ALIASES = [
  'Etc/UTC', 'Etc/GMT', 'Etc/Universal', 'Etc/Zulu', 'GMT', 'UCT', 'Europe/Kyiv', 'Asia/Kolkata', 'Asia/Ho_Chi_Minh',
  'Asia/Kathmandu', 'Asia/Yangon', 'America/Nuuk', 'America/Indiana/Indianapolis', 'America/Argentina/Buenos_Aires',
  'Atlantic/Faroe', 'Pacific/Kanton', 'Pacific/Chuuk', 'Pacific/Pohnpei', 'Europe/Kiev', 'Asia/Calcutta', 'Asia/Saigon',
  'America/Montreal', 'US/Eastern', 'Asia/Istanbul', 'Europe/Uzhgorod', 'America/Ciudad_Juarez',
];
const ZONES = [...new Set([...Intl.supportedValuesOf('timeZone'), ...ALIASES])].filter((z) => IANAZone.isValidZone(z));

// Checked independently of the module and of luxon: Intl's own offset every 15 minutes from the start to the end
// of the window (every transition in current tz data falls on a quarter hour).
const STEP = 15 * 60_000;
function offsets(zone: string, w: TimeWindow): string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  const out: string[] = [];
  for (let t = w.from; t < w.to; t += STEP) out.push(format.format(t).split(', ')[1]!);
  out.push(format.format(w.to).split(', ')[1]!);
  return out.join(',');
}

describe('zoomTimeZoneFor', () => {
  it('has all of Zoom\'s 136 IDs, each a zone luxon can compute', () => {
    expect(ZOOM_TIME_ZONE_IDS).toHaveLength(136);
    expect(new Set(ZOOM_TIME_ZONE_IDS).size).toBe(136);
    expect(ZOOM_TIME_ZONE_IDS.filter((id) => !IANAZone.isValidZone(id))).toEqual([]);
  });

  it('sends a listed ID as it is', () => {
    for (const w of Object.values(WINDOWS)) {
      for (const id of ZOOM_TIME_ZONE_IDS) expect(zoomTimeZoneFor(id, w)).toBe(id);
    }
  });

  it.each(Object.entries(WINDOWS))(
    'maps every zone Intl knows to a listed ID with the same offsets throughout, or to none only when none has them (%s)',
    (_name, w) => {
      const listed = ZOOM_TIME_ZONE_IDS.map((id) => [id, offsets(id, w)] as const);
      const wrong: string[] = [];
      for (const zone of ZONES) {
        const own = offsets(zone, w);
        const chosen = zoomTimeZoneFor(zone, w);
        if (chosen === undefined) {
          const missed = listed.find(([, o]) => o === own);
          if (missed) wrong.push(`${zone}: omitted though ${missed[0]} matches`);
        } else if (!isZoomTimeZone(chosen)) {
          wrong.push(`${zone}: ${chosen} is not listed`);
        } else if (offsets(chosen, w) !== own) {
          wrong.push(`${zone}: ${chosen} has other offsets`);
        }
      }
      expect(wrong).toEqual([]);
    },
    60_000,
  );

  it.each([
    ['Europe/Kyiv', 'Europe/Kiev'],
    ['Asia/Ho_Chi_Minh', 'Asia/Saigon'],
    ['Etc/UTC', 'UTC'],
    ['America/Nuuk', 'America/Godthab'],
    ['America/Toronto', 'America/Montreal'],
    ['Asia/Katmandu', 'Asia/Kathmandu'],
    ['America/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
    ['America/Indiana/Indianapolis', 'America/Indianapolis'],
    ['Africa/Lagos', 'Africa/Bangui'],
  ])('sends %s under its listed name %s', (zone, expected) => {
    for (const w of Object.values(WINDOWS)) expect(zoomTimeZoneFor(zone, w)).toBe(expected);
  });

  it('picks a zone that follows the same rules over one that only agrees this week', () => {
    // In February Detroit agrees with Panama, Bogota and Lima as well; New York has kept its rules for decades.
    expect(zoomTimeZoneFor('America/Detroit', WINDOWS['HRGL 2024']!)).toBe('America/New_York');
    // Karachi (+05:00, no DST) has no alias on the list; Tashkent and Yekaterinburg are +05:00 all year too.
    expect(['Asia/Tashkent', 'Asia/Yekaterinburg']).toContain(zoomTimeZoneFor('Asia/Karachi', WINDOWS['HRGL 2024']!));
  });

  it('omits the zone when no listed zone has its offsets, also when they part for a single hour', () => {
    for (const w of Object.values(WINDOWS)) {
      expect(zoomTimeZoneFor('Asia/Yangon', w)).toBeUndefined(); // +06:30
      expect(zoomTimeZoneFor('Pacific/Chatham', w)).toBeUndefined(); // +12:45 / +13:45
    }
    // Cuba springs forward at 00:00 local (05:00Z) on the same day as the US at 02:00 local (07:00Z): the same
    // offsets before and after, two hours apart in between.
    expect(zoomTimeZoneFor('America/Havana', WINDOWS['HRGL 2024']!)).toBeDefined();
    expect(zoomTimeZoneFor('America/Havana', WINDOWS['US spring forward']!)).toBeUndefined();
  });

  it('covers the whole local day of the webinar in the programme zone', () => {
    // Cuba falls back at 01:00 local (05:00Z), the US an hour later (06:00Z); 2024-11-03 runs from 04:00Z to 05:00Z.
    const room = { date: '2024-11-03', startsAt: '2024-11-03T15:00:00Z', endsAt: '2024-11-03T17:00:00Z' };
    const w = webinarTimeWindow(room, 'America/Havana');
    expect(new Date(w.from).toISOString()).toBe('2024-11-03T04:00:00.000Z');
    expect(new Date(w.to).toISOString()).toBe('2024-11-04T05:00:00.000Z');
    // New York agrees during the sessions, not from 05:00Z to 06:00Z, and Zoom shows the whole day in its zone.
    expect(zoomTimeZoneFor('America/Havana', { from: Date.parse(room.startsAt), to: Date.parse(room.endsAt) })).toBeDefined();
    expect(zoomTimeZoneFor('America/Havana', w)).toBeUndefined();
    // Where midnight is skipped (Havana, 2024-03-10), the day starts at 01:00 and ends at the next midnight.
    const skipped = webinarTimeWindow({ date: '2024-03-10', startsAt: '2024-03-10T14:00:00Z', endsAt: '2024-03-10T16:00:00Z' }, 'America/Havana');
    expect([new Date(skipped.from).toISOString(), new Date(skipped.to).toISOString()]).toEqual(['2024-03-10T05:00:00.000Z', '2024-03-11T04:00:00.000Z']);
  });
});
