export type WindowState = { state: 'before'; opensAt: Date } | { state: 'open' } | { state: 'ended' };

/** Joining opens `opensMinutesBefore` the start and closes at the end (both edges inclusive of opening). */
export function joinWindow(startsAt: string, endsAt: string, opensMinutesBefore: number, now: Date): WindowState {
  const opensAt = Date.parse(startsAt) - opensMinutesBefore * 60_000;
  const t = now.getTime();
  if (t < opensAt) return { state: 'before', opensAt: new Date(opensAt) };
  if (t >= Date.parse(endsAt)) return { state: 'ended' };
  return { state: 'open' };
}
