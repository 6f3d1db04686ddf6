import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeySpace } from './redis.js';

export interface RateLimit {
  /** How many hits a window allows. */
  max: number;
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one hit on `subject` within its window, shared by every API process. */
  hit(scope: string, subject: string, limit: RateLimit): Promise<RateDecision>;
}

// A fixed window per subject: the first hit starts it (PEXPIRE), later ones only count. One script, so the count
// and its expiry are never apart (a crash between INCR and PEXPIRE would leave a key that never expires).
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

/**
 * Subjects are hashed into the key: an email address or an IP never appears in Redis's key space (where a
 * `SCAN` or a monitoring tool would show it) in the clear, only a digest, and only until its window ends.
 */
export function createRateLimiter(redis: Redis, keys: KeySpace): RateLimiter {
  return {
    async hit(scope, subject, limit) {
      const digest = createHash('sha256').update(subject).digest('base64url').slice(0, 22);
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, keys.key('rate', scope, digest), String(limit.windowMs))) as [number, number];
      return count <= limit.max ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
    },
  };
}
