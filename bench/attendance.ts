import { performance } from 'node:perf_hooks';
import type { Interval } from '../src/domain/attendance.js';
import { scheduleProgramme } from '../src/domain/schedule.js';
import { programmeSchema } from '../src/domain/programme.js';
import { benchAuth, median, ratio, startInProcessApp, type InProcessApp } from './lib.js';

const PEOPLE = 10_000;
const SMALL = 100;
const RUNS = 3;

/** 20 sessions: four academy days of four (two in a parallel room) and a conference day of four. */
function programme(id: string) {
  const academy = (date: string) => ({
    date,
    kind: 'academy',
    title: `Academy ${date}`,
    sessions: [
      { id: `${date}-a`, title: 'Plenary', start: '09:00', end: '10:30' },
      { id: `${date}-b`, title: 'Workshop A', start: '11:00', end: '12:30', room: 'ws' },
      { id: `${date}-c`, title: 'Workshop B', start: '11:00', end: '12:30' },
      { id: `${date}-d`, title: 'Closing', start: '14:00', end: '15:30' },
    ],
  });
  return {
    id,
    title: 'Attendance benchmark',
    timezone: 'Europe/Vienna',
    certificate: { minimumPercent: 75 },
    days: [
      ...['2030-02-04', '2030-02-05', '2030-02-06', '2030-02-07'].map(academy),
      { date: '2030-02-08', kind: 'conference', title: 'Conference', sessions: ['a', 'b', 'c', 'd'].map((x, i) => ({ id: `c-${x}`, title: x, start: `${10 + i}:00`, end: `${10 + i}:50` })) },
    ],
  };
}

/** Every participant in every room: a stay covering most of each session, with a break and a re-join. */
async function seed(run: InProcessApp, eventId: string, count: number): Promise<void> {
  const { app, core } = run;
  const put = await app.inject({ method: 'PUT', url: `/api/v1/events/${eventId}`, headers: benchAuth, payload: programme(eventId) });
  if (put.statusCode >= 300) throw new Error(`programme PUT answered ${put.statusCode}: ${put.body.slice(0, 300)}`);
  const people = Array.from({ length: count }, (_, i) => ({ name: `Person ${i} =+@`, email: `p${i}.${eventId}@bench.example` }));
  const res = await app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/participants`, headers: benchAuth, payload: { participants: people, notify: false } });
  if (res.statusCode !== 201) throw new Error(`participants POST answered ${res.statusCode}`);
  const ids = (res.json().participants as Array<{ id: string }>).map((p) => p.id);
  const schedule = scheduleProgramme(programmeSchema.parse(programme(eventId)));
  for (const room of schedule.rooms) {
    const sessions = schedule.sessions.filter((s) => s.roomId === room.id);
    const presence = new Map<string, Interval[]>(
      ids.map((id, n) => [
        id,
        sessions.flatMap((s) => {
          const start = Date.parse(s.startsAt) + (n % 7) * 60_000;
          const end = Date.parse(s.endsAt);
          return [{ start, end: start + 20 * 60_000 }, { start: start + 25 * 60_000, end }];
        }),
      ]),
    );
    if (room.provider === 'bbb') await core.stores.presence.saveExact(eventId, room.id, `${room.id}-meeting`, presence, new Date());
    else await core.stores.presence.saveZoomPast(eventId, room.id, presence);
  }
}

async function timed(run: InProcessApp, eventId: string, accept: string): Promise<number> {
  const started = performance.now();
  const res = await run.app.inject({ method: 'GET', url: `/api/v1/events/${eventId}/attendance`, headers: { ...benchAuth, accept } });
  const ms = performance.now() - started;
  if (res.statusCode !== 200) throw new Error(`attendance answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return ms;
}

/**
 * The attendance report for 10,000 participants × 20 sessions (five rooms of presence read from Redis, unions,
 * clipping, eligibility, serialisation), as JSON and as streamed CSV. Baseline: the same report for 100
 * participants, times 100, in the same run: a ratio near 1 means the report scales linearly.
 */
export async function benchAttendance(): Promise<string[]> {
  const run = await startInProcessApp('attendance');
  try {
    await seed(run, 'small', SMALL);
    await seed(run, 'large', PEOPLE);
    const lines: string[] = [];
    for (const [label, accept] of [['JSON', 'application/json'], ['CSV', 'text/csv']] as const) {
      await timed(run, 'small', accept);
      const small: number[] = [];
      for (let i = 0; i < RUNS * 3; i += 1) small.push(await timed(run, 'small', accept));
      const large: number[] = [];
      for (let i = 0; i < RUNS; i += 1) large.push(await timed(run, 'large', accept));
      const baseline = median(small) * (PEOPLE / SMALL);
      lines.push(
        `attendance ${label}: ${PEOPLE} participants × 20 sessions: ${median(large).toFixed(0)} ms (median of ${RUNS}: ${large.map((ms) => ms.toFixed(0)).join('/')}; target < 2000)`,
        `attendance ${label}: baseline ${SMALL} participants ×${PEOPLE / SMALL} = ${baseline.toFixed(0)} ms → time ratio ${ratio(median(large), baseline)}`,
      );
    }
    return lines;
  } finally {
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchAttendance()) console.log(line);
