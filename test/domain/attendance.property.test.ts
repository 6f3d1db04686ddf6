import { describe, expect, it } from 'vitest';
import {
  clip,
  extendPolled,
  fromJoinsAndLeaves,
  intersect,
  isEligible,
  measure,
  requiredMs,
  summarize,
  union,
  wholeMinutes,
  type Interval,
  type SessionWindow,
} from '../../src/domain/attendance.js';
import { createPrng, seedFromEnv, type Prng } from '../helpers/prng.js';

// Intervals on an integer grid of 0..GRID, checked against a brute-force count of covered cells.
const GRID = 200;
const seed = seedFromEnv('ATTENDANCE_SEED');
const ROUNDS = 400;

function randomIntervals(prng: Prng, max = 8): Interval[] {
  return Array.from({ length: prng.int(0, max) }, () => {
    const start = prng.int(0, GRID);
    // Some empty and inverted ones: sources do send them (a leave before its join, a zero-length poll stay).
    return { start, end: prng.bool(0.1) ? start - prng.int(0, 5) : start + prng.int(0, 60) };
  });
}

const cells = (intervals: readonly Interval[]) => {
  const covered = new Set<number>();
  for (const i of intervals) for (let c = i.start; c < i.end; c += 1) covered.add(c);
  return covered;
};

describe(`presence intervals (seed ${seed}, replay with ATTENDANCE_SEED=${seed})`, () => {
  it('union is sorted, disjoint, non-touching and covers exactly what the inputs cover', () => {
    const prng = createPrng(seed);
    for (let round = 0; round < ROUNDS; round += 1) {
      const input = randomIntervals(prng);
      const out = union(input);
      for (let i = 0; i < out.length; i += 1) {
        expect(out[i]!.end).toBeGreaterThan(out[i]!.start);
        if (i > 0) expect(out[i]!.start).toBeGreaterThan(out[i - 1]!.end);
      }
      expect(cells(out)).toEqual(cells(input));
      expect(measure(input)).toBe(cells(input).size);
      // Idempotent, and the order of the sources does not matter.
      expect(union(out)).toEqual(out);
      expect(union([...input].reverse())).toEqual(out);
    }
  });

  it('counts re-joins and two sources of the same stay once', () => {
    const prng = createPrng(seed + 1);
    for (let round = 0; round < ROUNDS; round += 1) {
      const a = randomIntervals(prng);
      const b = randomIntervals(prng);
      const both = new Set([...cells(a), ...cells(b)]);
      expect(measure([...a, ...b])).toBe(both.size);
      expect(measure([...a, ...a])).toBe(measure(a));
      expect(measure([...a, ...b])).toBeLessThanOrEqual(measure(a) + measure(b));
      const common = [...cells(a)].filter((c) => cells(b).has(c));
      expect(measure(intersect(a, b))).toBe(common.length);
    }
  });

  it('clips to a window: nothing outside counts, nothing inside is lost', () => {
    const prng = createPrng(seed + 2);
    for (let round = 0; round < ROUNDS; round += 1) {
      const input = randomIntervals(prng);
      const start = prng.int(0, GRID);
      const window = { start, end: start + prng.int(1, 80) };
      const expected = [...cells(input)].filter((c) => c >= window.start && c < window.end).length;
      const clipped = clip(input, window);
      expect(measure(clipped)).toBe(expected);
      for (const i of clipped) expect(i.start >= window.start && i.end <= window.end).toBe(true);
    }
  });

  it('summarises per session in its own room, and per day and in total as unions', () => {
    const prng = createPrng(seed + 3);
    for (let round = 0; round < ROUNDS / 2; round += 1) {
      const rooms = ['r1', 'r2'];
      const sessions: SessionWindow[] = Array.from({ length: prng.int(1, 5) }, (_, n) => {
        const start = prng.int(0, GRID - 20);
        return { id: `s${n}`, date: prng.pick(['d1', 'd2']), roomId: prng.pick(rooms), start, end: start + prng.int(5, 40) };
      });
      const presence = new Map(rooms.map((r) => [r, randomIntervals(prng)]));
      const summary = summarize(presence, sessions);
      const attended = sessions.map((s) => new Set([...cells(presence.get(s.roomId) ?? [])].filter((c) => c >= s.start && c < s.end)));
      sessions.forEach((s, i) => expect(summary.sessionMs.get(s.id)).toBe(attended[i]!.size));
      // Total: a cell counts once even when parallel sessions (or both rooms) cover it.
      const all = new Set(attended.flatMap((set) => [...set]));
      expect(summary.totalMs).toBe(all.size);
      for (const date of new Set(sessions.map((s) => s.date))) {
        const day = new Set(sessions.flatMap((s, i) => (s.date === date ? [...attended[i]!] : [])));
        expect(summary.dayMs.get(date)).toBe(day.size);
      }
      expect(summary.totalMs).toBeLessThanOrEqual(requiredMs(sessions));
      expect(summary.totalMs).toBeLessThanOrEqual([...summary.sessionMs.values()].reduce((a, b) => a + b, 0));
    }
  });

  it('turns consecutive polls into stays and a missed poll or a long outage into a break', () => {
    const prng = createPrng(seed + 4);
    for (let round = 0; round < ROUNDS / 4; round += 1) {
      const ticks = Array.from({ length: 30 }, (_, i) => i * 60);
      const seenAt = ticks.filter(() => prng.bool(0.6));
      let state = { intervals: [] as Interval[], lastSeen: undefined as number | undefined };
      let previous: number | undefined;
      for (const tick of ticks) {
        if (seenAt.includes(tick)) state = { lastSeen: undefined, ...extendPolled(state, tick, previous, 60 * 3.5) } as typeof state;
        previous = tick;
      }
      // Presence between two consecutive polls that both saw the person, and nowhere else.
      const expected: Interval[] = [];
      for (let i = 1; i < ticks.length; i += 1) if (seenAt.includes(ticks[i - 1]!) && seenAt.includes(ticks[i]!)) expected.push({ start: ticks[i - 1]!, end: ticks[i]! });
      expect(union(state.intervals)).toEqual(union(expected));
    }
    // Polls that failed are bridged up to the gap allowed, not beyond.
    const bridged = extendPolled(extendPolled({ intervals: [] }, 0, undefined, 210), 180, 0, 210);
    expect(bridged.intervals).toEqual([{ start: 0, end: 180 }]);
    const broken = extendPolled(extendPolled({ intervals: [] }, 0, undefined, 210), 600, 0, 210);
    expect(union(broken.intervals)).toEqual([]);
  });

  it('reads joins and leaves as presence while any stay is open, whatever order they come in', () => {
    const prng = createPrng(seed + 5);
    for (let round = 0; round < ROUNDS; round += 1) {
      const stays = randomIntervals(prng, 5).filter((i) => i.end > i.start);
      const joins = stays.map((s) => s.start);
      const leaves = stays.map((s) => s.end);
      for (let i = joins.length - 1; i > 0; i -= 1) {
        const j = prng.int(0, i);
        [joins[i], joins[j]] = [joins[j]!, joins[i]!];
      }
      expect(fromJoinsAndLeaves(joins, leaves, GRID * 2)).toEqual(union(stays));
    }
    // A join without its leave lasts until the meeting's end; a leave without a join is ignored.
    expect(fromJoinsAndLeaves([10], [], 50)).toEqual([{ start: 10, end: 50 }]);
    expect(fromJoinsAndLeaves([], [10], 50)).toEqual([]);
  });
});

describe('eligibility', () => {
  const required = 2 * 60 * 60_000;
  it('is exact at the threshold: 75 % is in, a millisecond less is out', () => {
    expect(isEligible(0.75 * required, required, 75)).toBe(true);
    expect(isEligible(0.75 * required - 1, required, 75)).toBe(false);
    expect(isEligible(required, required, 100)).toBe(true);
    expect(isEligible(required - 1, required, 100)).toBe(false);
    expect(isEligible(0, required, 0)).toBe(true);
    expect(isEligible(0, 0, 0)).toBe(false);
  });

  it('is monotonic in attended time', () => {
    const prng = createPrng(seed + 6);
    for (let round = 0; round < ROUNDS; round += 1) {
      const percent = prng.int(0, 100);
      const a = prng.int(0, required);
      const b = prng.int(a, required);
      if (isEligible(a, required, percent)) expect(isEligible(b, required, percent)).toBe(true);
    }
  });

  it('reports whole minutes, rounded down', () => {
    expect(wholeMinutes(89 * 60_000 + 59_999)).toBe(89);
    expect(wholeMinutes(90 * 60_000)).toBe(90);
  });
});
