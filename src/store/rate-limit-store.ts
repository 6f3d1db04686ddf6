import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaScript } from './lua-script.js';
import type { KeySpace } from './redis.js';

export interface RateLimit {
  /** How many hits a window allows. */
  max: number;
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateHit {
  scope: string;
  subject: string;
  limit: RateLimit;
}

export interface RateLimiter {
  /**
   * Counts one hit on each subject within its window, shared by every API process, in turn: the first over its
   * limit refuses, and those after it are not counted. One round trip and one atomic step for all of them.
   */
  hitEach(hits: readonly RateHit[]): Promise<RateDecision>;
}

/**
 * The counting as a Lua function, for a script that counts hits before its own step in the same call (one round
 * trip for both): `hit_each(k, a, n)` counts the n counters KEYS[k], KEYS[k + 1], …, the i-th (from 0) with its
 * window ms at ARGV[a + 2i] and its max at ARGV[a + 2i + 1] (as `rateArguments` lays them out), and returns false,
 * or the TTL in ms of the first counter over its limit (the ones after it are not counted).
 *
 * A fixed window per subject: the first hit starts it (PEXPIRE), later ones only count. Count and expiry in one
 * script, so they are never apart (a crash between INCR and PEXPIRE would leave a key that never expires).
 */
export const HIT_EACH_LUA = `
local function hit_each(k, a, n)
  for i = 0, n - 1 do
    local key = KEYS[k + i]
    local window = ARGV[a + 2 * i]
    local count = redis.call('INCR', key)
    if count == 1 then redis.call('PEXPIRE', key, window) end
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = tonumber(window) end
    if count > tonumber(ARGV[a + 2 * i + 1]) then return ttl end
  end
  return false
end
`;

// KEYS: the counters. ARGV: window and max per counter. Returns -1 when every hit was allowed.
const HIT_SCRIPT = `${HIT_EACH_LUA}
return hit_each(1, 1, #KEYS) or -1
`;

/**
 * Subjects are hashed into the key: an email address or an IP never appears in Redis's key space (where a
 * `SCAN` or a monitoring tool would show it) in the clear, only a digest, and only until its window ends.
 */
export function rateCounterKey(keys: KeySpace, scope: string, subject: string): string {
  return keys.key('rate', scope, hash('sha256', subject, 'base64url').slice(0, 22));
}

/** The counters (KEYS) and their window and max (ARGV) that `hit_each` reads, in its order. */
export function rateArguments(keys: KeySpace, hits: readonly RateHit[]): { counters: string[]; limits: number[] } {
  return { counters: hits.map((h) => rateCounterKey(keys, h.scope, h.subject)), limits: hits.flatMap((h) => [h.limit.windowMs, h.limit.max]) };
}

/** Whole seconds until a counter over its limit (its TTL in ms, as `hit_each` returns it) lets hits through; at least 1. */
export const retryAfterSeconds = (ttlMs: number): number => Math.max(1, Math.ceil(ttlMs / 1000));

export function createRateLimiter(redis: Redis, keys: KeySpace): RateLimiter {
  const hitScript = luaScript<number>(redis, HIT_SCRIPT);

  async function hitEach(hits: readonly RateHit[]): Promise<RateDecision> {
    if (hits.length === 0) return { allowed: true };
    const { counters, limits } = rateArguments(keys, hits);
    const ttl = Number(await hitScript(counters, limits));
    return ttl < 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: retryAfterSeconds(ttl) };
  }

  return { hitEach };
}
