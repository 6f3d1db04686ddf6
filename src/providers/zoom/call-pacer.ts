import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Spaces calls of one Zoom rate-limit label across every process: at most `max` calls start in any
 * sliding window of `windowMs`, measured on Redis's clock. The job-level BullMQ limiter decides how many
 * jobs run; this decides the moment each call leaves, so work a job does before its call cannot bunch
 * calls into one of Zoom's seconds.
 */
export interface CallPacer {
  acquire(): Promise<void>;
}

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now + 1
`;

export function createCallPacer(redis: Redis, key: string, limit: { max: number; windowMs: number }): CallPacer {
  return {
    async acquire() {
      for (;;) {
        const waitMs = Number(await redis.eval(ACQUIRE, 1, key, limit.windowMs, limit.max, randomUUID()));
        if (waitMs <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    },
  };
}
