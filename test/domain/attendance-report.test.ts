import { describe, expect, it } from 'vitest';
import { attendanceCsv, buildAttendanceReport, csvCell } from '../../src/domain/attendance-report.js';
import { analyticsPresence, bbbAnalyticsSchema, internalIdMatches, parseBbbInstant } from '../../src/domain/bbb-analytics.js';
import { CODE_BITS, newVerificationCode, normaliseVerificationCode } from '../../src/domain/certificate.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { scheduleProgramme } from '../../src/domain/schedule.js';

const schedule = scheduleProgramme(
  programmeSchema.parse({
    id: 'rep',
    title: 'Report',
    timezone: 'Europe/Vienna',
    days: [
      { date: '2030-06-03', kind: 'academy', title: 'A', sessions: [{ id: 'a1', title: 'One', start: '09:00', end: '10:00' }, { id: 'a2', title: 'Two', start: '09:30', end: '10:30', room: 'ws' }] },
      { date: '2030-06-04', kind: 'conference', title: 'C', sessions: [{ id: 'c1', title: 'Three', start: '10:00', end: '11:00' }] },
    ],
  }),
);
const t = (iso: string) => Date.parse(iso);

describe('attendance report', () => {
  it('counts each session in its own room, and days and the total as unions', () => {
    const presence = new Map([
      // In both parallel rooms from 09:15 to 10:15 Vienna (07:15–08:15Z), and the whole conference session.
      ['p1', new Map([['bbb-2030-06-03', [{ start: t('2030-06-03T07:15:00Z'), end: t('2030-06-03T08:15:00Z') }]], ['bbb-2030-06-03-ws', [{ start: t('2030-06-03T07:15:00Z'), end: t('2030-06-03T08:15:00Z') }]], ['zoom-2030-06-04', [{ start: t('2030-06-04T07:00:00Z'), end: t('2030-06-04T09:30:00Z') }]]])],
    ]);
    const report = buildAttendanceReport({
      sessions: schedule.sessions,
      people: [{ id: 'p1', name: 'Ana', email: 'ana@example.org' }, { id: 'p2', name: 'Ben', email: 'ben@example.org' }],
      presence,
      minimumPercent: 50,
      certificateUrls: new Map([['p1', 'http://x/verify/CODE']]),
    });
    expect(report.requiredMinutes).toBe(150);
    expect(report.participants[0]).toEqual({
      id: 'p1',
      name: 'Ana',
      email: 'ana@example.org',
      minutes: 120,
      days: [{ date: '2030-06-03', minutes: 60 }, { date: '2030-06-04', minutes: 60 }],
      sessions: [{ id: 'a1', minutes: 45 }, { id: 'a2', minutes: 45 }, { id: 'c1', minutes: 60 }],
      certificate: { eligible: true, url: 'http://x/verify/CODE' },
    });
    expect(report.participants[1]).toMatchObject({ minutes: 0, certificate: { eligible: false } });
  });

  it('totals the rows and the anonymous counts; less than a whole minute attends nothing', () => {
    const presence = new Map([
      ['p1', new Map([['bbb-2030-06-03', [{ start: t('2030-06-03T07:00:00Z'), end: t('2030-06-03T07:20:00Z') }]]])],
      // 59 seconds: a row with 0 minutes, not an attendee.
      ['p2', new Map([['bbb-2030-06-03', [{ start: t('2030-06-03T07:00:00Z'), end: t('2030-06-03T07:00:59Z') }]]])],
    ]);
    const anonymous = {
      total: { attendees: 1, minutes: 70 },
      days: new Map([['2030-06-03', { attendees: 1, minutes: 10 }], ['2030-06-04', { attendees: 1, minutes: 60 }]]),
      // `gone` was in the programme when someone was erased: it stays in the total only.
      sessions: new Map([['a1', { attendees: 1, minutes: 10 }], ['gone', { attendees: 1, minutes: 5 }], ['c1', { attendees: 1, minutes: 55 }]]),
    };
    const people = [{ id: 'p1', name: 'Ana', email: 'a@x' }, { id: 'p2', name: 'Ben', email: 'b@x' }];
    const report = buildAttendanceReport({ sessions: schedule.sessions, people, presence, minimumPercent: undefined, certificateUrls: new Map(), anonymous });
    expect(report.totals).toEqual({
      attendees: 2,
      minutes: 90,
      days: [{ date: '2030-06-03', attendees: 2, minutes: 30 }, { date: '2030-06-04', attendees: 1, minutes: 60 }],
      sessions: [{ id: 'a1', attendees: 2, minutes: 30 }, { id: 'a2', attendees: 0, minutes: 0 }, { id: 'c1', attendees: 1, minutes: 55 }],
    });
    // The input is not changed by building the report.
    expect(anonymous.total).toEqual({ attendees: 1, minutes: 70 });
    expect(buildAttendanceReport({ sessions: schedule.sessions, people, presence, minimumPercent: undefined, certificateUrls: new Map() }).totals).toMatchObject({ attendees: 1, minutes: 20 });
  });

  it('writes CSV that spreadsheets cannot run: formulas get an apostrophe, quotes are doubled', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    for (const lead of ['+', '-', '@', '\t', '\r']) expect(csvCell(`${lead}1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('Ñúñez, Ana')).toBe('"Ñúñez, Ana"');
    expect(csvCell('李')).toBe('李');
    expect(csvCell(42)).toBe('42');
    const report = buildAttendanceReport({ sessions: schedule.sessions, people: [{ id: 'p1', name: '@SUM(A1)', email: 'a@x' }], presence: new Map(), minimumPercent: undefined, certificateUrls: new Map() });
    const lines = [...attendanceCsv(report)];
    expect(lines[0]).toBe('participant_id,name,email,total_minutes,day_2030-06-03_minutes,day_2030-06-04_minutes,session_a1_minutes,session_a2_minutes,session_c1_minutes,certificate_eligible,certificate_url\r\n');
    expect(lines[1]).toBe("p1,'@SUM(A1),a@x,0,0,0,0,0,0,false,\r\n");
  });
});

describe('BigBlueButton analytics payload', () => {
  it('reads bbb-events instants in both formats and checks the internal id against the external one', () => {
    expect(parseBbbInstant('2024-02-05T09:00:12.000+01:00')).toBe(t('2024-02-05T08:00:12Z'));
    expect(parseBbbInstant('2024-02-05 09:00:12 +0100')).toBe(t('2024-02-05T08:00:12Z'));
    expect(Number.isNaN(parseBbbInstant('2024-02-05 09:00:12'))).toBe(true);
    expect(internalIdMatches('evt--bbb-2024-02-05', 'f2a0f7b1b1b8f0d6a8d7b4b1b0e1c1b1d1e1f1a1-1707120000000')).toBe(false);
    // sha1("evt--bbb-2024-02-05"), then the createTime
    expect(internalIdMatches('evt--bbb-2024-02-05', '2c936de72846b12fe31589c93c84ee91392ee903-1707120000000')).toBe(true);
    expect(internalIdMatches('evt--bbb-2024-02-05', '2c936de72846b12fe31589c93c84ee91392ee903-x')).toBe(false);
  });

  it('turns attendees into presence by ext_user_id, closing open stays at the finish', () => {
    const payload = bbbAnalyticsSchema.parse({
      version: '1.0',
      meeting_id: 'm',
      internal_meeting_id: 'x-1',
      data: {
        finish: '2024-02-05T10:00:00.000+00:00',
        attendees: [
          { ext_user_id: 'p1', joins: ['2024-02-05T09:00:00.000+00:00', '2024-02-05T09:30:00.000+00:00'], leaves: ['2024-02-05T09:10:00.000+00:00'] },
          { ext_user_id: null, joins: ['2024-02-05T09:00:00.000+00:00'], leaves: [] },
        ],
      },
    });
    expect(analyticsPresence(payload)).toEqual(new Map([['p1', [{ start: t('2024-02-05T09:00:00Z'), end: t('2024-02-05T09:10:00Z') }, { start: t('2024-02-05T09:30:00Z'), end: t('2024-02-05T10:00:00Z') }]]]));
  });
});

describe('verification codes', () => {
  it('carry at least 80 random bits, look alike, and survive how people type them', () => {
    expect(CODE_BITS).toBeGreaterThanOrEqual(80);
    const codes = new Set(Array.from({ length: 2000 }, () => newVerificationCode()));
    expect(codes.size).toBe(2000);
    for (const code of [...codes].slice(0, 50)) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
      expect(normaliseVerificationCode(code.toLowerCase().replace(/-/g, ' '))).toBe(code);
    }
    expect(normaliseVerificationCode('I0OL1-22222-33333-44444')).toBe('10011-22222-33333-44444');
    expect(normaliseVerificationCode('short')).toBeUndefined();
    expect(normaliseVerificationCode('UUUUU-22222-33333-44444')).toBeUndefined();
  });
});
