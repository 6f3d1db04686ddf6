export type WindowState = { state: 'before'; opensAt: Date } | { state: 'open' } | { state: 'ended' };

/**
 * Joining opens `opensMinutesBefore` the start and closes at the end (both edges inclusive of opening).
 * Instants are epoch milliseconds: the join route asks this on every request, so callers parse once.
 */
export function joinWindow(startsAtMs: number, endsAtMs: number, opensMinutesBefore: number, nowMs: number): WindowState {
  const opensAt = startsAtMs - opensMinutesBefore * 60_000;
  if (nowMs < opensAt) return { state: 'before', opensAt: new Date(opensAt) };
  if (nowMs >= endsAtMs) return { state: 'ended' };
  return { state: 'open' };
}
