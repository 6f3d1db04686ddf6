import { describe, expect, it } from 'vitest';
import { localToInstant } from '../../src/domain/local-time.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { scheduleProgramme } from '../../src/domain/schedule.js';
import { exampleProgramme, oneDay } from '../helpers/programme-fixtures.js';

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  const result = programmeSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('programme schema', () => {
  it('accepts the example programme and derives its rooms', () => {
    const programme = programmeSchema.parse(exampleProgramme());
    const { rooms, sessions } = scheduleProgramme(programme);
    expect(rooms.map((r) => `${r.provider}:${r.id}`)).toEqual([
      'bbb:bbb-2024-02-05',
      'bbb:bbb-2024-02-06',
      'bbb:bbb-2024-02-06-workshop-a',
      'bbb:bbb-2024-02-07',
      'zoom:zoom-2024-02-08',
    ]);
    expect(rooms.find((r) => r.id === 'zoom-2024-02-08')?.interpretation?.languages).toEqual(['en', 'de', 'fr', 'es']);
    expect(rooms.find((r) => r.id === 'bbb-2024-02-06')?.record).toBe(true);
    expect(rooms.find((r) => r.id === 'bbb-2024-02-05')?.record).toBe(false);
    // 09:00 in Vienna in February (CET, UTC+1)
    expect(sessions.find((s) => s.id === 'd1-opening')?.startsAt).toBe('2024-02-05T08:00:00Z');
    expect(sessions.find((s) => s.id === 'd2-ws-a')?.roomId).toBe('bbb-2024-02-06-workshop-a');
  });

  it('round-trips: parsing its own output gives the same programme', () => {
    const once = programmeSchema.parse(exampleProgramme());
    expect(programmeSchema.parse(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('keeps room ids stable when sessions are edited', () => {
    const a = scheduleProgramme(programmeSchema.parse(exampleProgramme()));
    const edited = exampleProgramme();
    (edited.days[0] as { title: string }).title = 'Renamed';
    const b = scheduleProgramme(programmeSchema.parse(edited));
    expect(b.rooms.map((r) => r.id)).toEqual(a.rooms.map((r) => r.id));
  });

  it.each([
    ['unknown field', { ...oneDay([{ id: 'a', start: '09:00', end: '10:00' }]), colour: 'red' }, '', /unrecognized/i],
    ['bad zone', oneDay([{ id: 'a', start: '09:00', end: '10:00' }], { timezone: 'Europe/Graz' }), 'timezone', /IANA/],
    ['bad date', oneDay([{ id: 'a', start: '09:00', end: '10:00' }], { date: '2024-02-30' }), 'days.0.date', /calendar date/],
    ['bad time', oneDay([{ id: 'a', start: '9:00', end: '10:00' }]), 'days.0.sessions.0.start', /HH:MM/],
    ['hour 24', oneDay([{ id: 'a', start: '09:00', end: '24:00' }]), 'days.0.sessions.0.end', /HH:MM/],
    ['end before start', oneDay([{ id: 'a', start: '10:00', end: '09:00' }]), 'days.0.sessions.0.end', /after start/],
    ['end equals start', oneDay([{ id: 'a', start: '10:00', end: '10:00' }]), 'days.0.sessions.0.end', /after start/],
    [
      'duplicate id',
      oneDay([
        { id: 'a', start: '09:00', end: '10:00' },
        { id: 'a', start: '11:00', end: '12:00' },
      ]),
      'days.0.sessions.1.id',
      /duplicate/,
    ],
    [
      'overlap in one room',
      oneDay([
        { id: 'a', start: '09:00', end: '10:30' },
        { id: 'b', start: '10:00', end: '11:00' },
      ]),
      'days.0.sessions.1.start',
      /overlaps session "a"/,
    ],
    ['bad id', oneDay([{ id: 'A b', start: '09:00', end: '10:00' }]), 'days.0.sessions.0.id', /a-z/],
    ['no sessions', oneDay([]), 'days.0.sessions', /at least one session/],
  ])('rejects %s with the field path', (_name, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toMatch(message);
  });

  it('allows the same times in different rooms and back-to-back sessions', () => {
    const input = oneDay([
      { id: 'a', start: '09:00', end: '10:00' },
      { id: 'b', start: '09:00', end: '10:00', room: 'workshop-b' },
      { id: 'c', start: '10:00', end: '11:00' },
    ]);
    expect(issuesOf(input)).toEqual([]);
  });

  it('rejects interpretation languages Zoom cannot interpret, and interpretation on academy days', () => {
    const input = oneDay([{ id: 'a', start: '09:00', end: '10:00' }], { kind: 'conference' }) as {
      days: Array<Record<string, unknown>>;
    };
    input.days[0]!.interpretation = { languages: ['en', 'sw'], interpreters: [{ email: 'x@y.example', from: 'en', to: 'it' }] };
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['days.0.interpretation.languages.1', 'days.0.interpretation.interpreters.0.to']),
    );
    const academy = oneDay([{ id: 'a', start: '09:00', end: '10:00' }]) as { days: Array<Record<string, unknown>> };
    academy.days[0]!.interpretation = { languages: ['en', 'de'] };
    expect(issuesOf(academy).map((i) => i.path)).toContain('days.0.interpretation');
  });

  it('rejects a session that starts inside the spring-forward gap, saying why', () => {
    const issues = issuesOf(oneDay([{ id: 'a', start: '02:30', end: '04:00' }], { date: '2024-03-31' }));
    expect(issues).toEqual([
      { path: 'days.0.sessions.0.start', message: expect.stringMatching(/does not exist on 2024-03-31 in Europe\/Vienna.*spring forward/) },
    ]);
  });
});

describe('local time conversion across DST', () => {
  it.each([
    ['2024-03-31', '01:30', 'Europe/Vienna', '2024-03-31T00:30:00.000Z'],
    ['2024-03-31', '03:00', 'Europe/Vienna', '2024-03-31T01:00:00.000Z'],
    // fall back: 02:30 happens twice; the earlier instant (still CEST, UTC+2) is chosen
    ['2024-10-27', '02:30', 'Europe/Vienna', '2024-10-27T00:30:00.000Z'],
    ['2024-10-27', '03:00', 'Europe/Vienna', '2024-10-27T02:00:00.000Z'],
    ['2024-11-03', '01:30', 'America/New_York', '2024-11-03T05:30:00.000Z'],
    ['2024-03-10', '03:30', 'America/New_York', '2024-03-10T07:30:00.000Z'],
    ['2024-02-05', '09:00', 'Asia/Kolkata', '2024-02-05T03:30:00.000Z'],
  ])('%s %s in %s is %s', (date, time, zone, expected) => {
    const result = localToInstant(date, time, zone);
    expect(result.ok && result.instant.toISO()).toBe(expected);
  });

  it.each([
    ['2024-03-31', '02:00', 'Europe/Vienna'],
    ['2024-03-31', '02:59', 'Europe/Vienna'],
    ['2024-03-10', '02:30', 'America/New_York'],
  ])('%s %s does not exist in %s', (date, time, zone) => {
    expect(localToInstant(date, time, zone)).toEqual({ ok: false, reason: 'nonexistent' });
  });

  it('marks fall-back times as ambiguous and ordinary times as not', () => {
    expect(localToInstant('2024-10-27', '02:30', 'Europe/Vienna')).toMatchObject({ ok: true, ambiguous: true });
    expect(localToInstant('2024-10-27', '04:30', 'Europe/Vienna')).toMatchObject({ ok: true, ambiguous: false });
  });
});
