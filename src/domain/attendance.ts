/**
 * Presence as half-open intervals [start, end) of epoch milliseconds, and what they add up to against the
 * scheduled sessions. Every source (BigBlueButton polls and its analytics callback, Zoom webhooks and past
 * participants) becomes intervals; unions make re-joins and overlapping sources count once.
 */
export interface Interval {
  start: number;
  end: number;
}

/** Sorted, disjoint and non-touching; empty or inverted intervals are dropped. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const { start, end } of sorted) {
    const last = out[out.length - 1];
    if (last && start <= last.end) {
      if (end > last.end) last.end = end;
    } else {
      out.push({ start, end });
    }
  }
  return out;
}

/** Total length; overlaps count once. */
export function measure(intervals: readonly Interval[]): number {
  let total = 0;
  for (const i of union(intervals)) total += i.end - i.start;
  return total;
}

/** The parts of `intervals` inside `window`, as a union. */
export function clip(intervals: readonly Interval[], window: Interval): Interval[] {
  return clipUnion(union(intervals), window);
}

/** clip for an input that is already a union (sorted, disjoint): no sort per session of a large report. */
function clipUnion(normalised: readonly Interval[], window: Interval): Interval[] {
  const out: Interval[] = [];
  for (const i of normalised) {
    if (i.start >= window.end) break;
    const start = Math.max(i.start, window.start);
    const end = Math.min(i.end, window.end);
    if (end > start) out.push({ start, end });
  }
  return out;
}

/** Where both are present, as a union. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const left = union(a);
  const right = union(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const x = left[i]!;
    const y = right[j]!;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) out.push({ start, end });
    if (x.end < y.end) i += 1;
    else j += 1;
  }
  return out;
}

/** What a poller knows of one person in one meeting: the stays seen so far and the poll that last saw them. */
export interface PolledPresence {
  intervals: Interval[];
  lastSeen?: number;
}

/**
 * A poll at `tick` saw the person. Seen at the previous poll too (and the polls not too far apart), they were
 * there in between; otherwise a new stay starts at this poll. The ends of a stay are thereby under-counted by
 * up to one poll interval each: polls alone never certify time nobody observed.
 */
export function extendPolled(state: PolledPresence, tick: number, previousTick: number | undefined, maxGapMs: number): PolledPresence {
  const last = state.intervals[state.intervals.length - 1];
  const continues = last !== undefined && previousTick !== undefined && state.lastSeen === previousTick && tick - previousTick <= maxGapMs && tick > last.end;
  const intervals = continues ? [...state.intervals.slice(0, -1), { start: last.start, end: tick }] : [...state.intervals, { start: tick, end: tick }];
  return { intervals, lastSeen: tick };
}

/**
 * Presence from join and leave instants that may overlap (two browser tabs) or lack a partner (a leave that
 * was never recorded): present while more joins than leaves are open. Open stays end at `end`.
 */
export function fromJoinsAndLeaves(joins: readonly number[], leaves: readonly number[], end: number): Interval[] {
  const events = [...joins.map((at) => ({ at, delta: 1 })), ...leaves.map((at) => ({ at, delta: -1 }))];
  // At one instant, leaves first: a leave and a re-join in the same second are a continuous stay only if the
  // person never dropped to zero, which the sweep decides by count, not by order of arrival.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const out: Interval[] = [];
  let open = 0;
  let since = 0;
  for (const { at, delta } of events) {
    if (delta > 0) {
      if (open === 0) since = at;
      open += 1;
    } else if (open > 0) {
      open -= 1;
      if (open === 0) out.push({ start: since, end: at });
    }
  }
  if (open > 0 && end > since) out.push({ start: since, end });
  return union(out);
}

/** A stay known by its join, its leave or both; the missing side falls back to the given bounds. */
export function fromStays(stays: ReadonlyArray<{ joinedAt?: number; leftAt?: number }>, bounds: Interval): Interval[] {
  return union(stays.map((s) => ({ start: s.joinedAt ?? bounds.start, end: s.leftAt ?? bounds.end })));
}

export interface SessionWindow {
  id: string;
  date: string;
  roomId: string;
  start: number;
  end: number;
}

export interface AttendanceSummary {
  totalMs: number;
  sessionMs: Map<string, number>;
  dayMs: Map<string, number>;
}

/**
 * Presence in each session's own room during its scheduled time. Days and the total are unions across the
 * sessions they contain, so parallel rooms and two sources of the same stay are never added twice.
 */
export function summarize(presenceByRoom: ReadonlyMap<string, readonly Interval[]>, sessions: readonly SessionWindow[]): AttendanceSummary {
  const normalised = new Map<string, Interval[]>();
  for (const [room, intervals] of presenceByRoom) normalised.set(room, union(intervals));
  const sessionMs = new Map<string, number>();
  const byDay = new Map<string, Interval[]>();
  const all: Interval[] = [];
  for (const s of sessions) {
    const attended = clipUnion(normalised.get(s.roomId) ?? [], s);
    let ms = 0;
    for (const i of attended) ms += i.end - i.start;
    sessionMs.set(s.id, ms);
    const day = byDay.get(s.date) ?? [];
    day.push(...attended);
    byDay.set(s.date, day);
    all.push(...attended);
  }
  const dayMs = new Map<string, number>();
  for (const [date, intervals] of byDay) dayMs.set(date, measure(intervals));
  return { totalMs: measure(all), sessionMs, dayMs };
}

/** The union of every session's scheduled time: what 100 % attendance is. */
export function requiredMs(sessions: readonly SessionWindow[]): number {
  return measure(sessions);
}

/** Exact in integer milliseconds, so the threshold itself is eligible and a millisecond below it is not. */
export function isEligible(attendedMs: number, required: number, minimumPercent: number): boolean {
  if (required <= 0) return false;
  return attendedMs * 100 >= minimumPercent * required;
}

/** Whole minutes, rounded down: a report never claims a minute nobody was there for. */
export function wholeMinutes(ms: number): number {
  return Math.floor(ms / 60_000);
}
