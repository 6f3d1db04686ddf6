export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Real time, named as such, for instants compared across processes (lock deadlines, claim stamps and job
 * timestamps in Redis): an injected test clock in one process must not make another's claims look fresh or stale.
 */
export const wallClock: Clock = systemClock;
