import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaScript<R> = (keys: readonly string[], args: readonly (string | number)[]) => Promise<R>;

type Caller = (numberOfKeys: number, ...keysAndArgs: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script sent by its SHA1 (EVALSHA) instead of whole on every call: ioredis's defineCommand sends EVAL once
 * per socket and EVALSHA after that, and again EVAL when Redis answers NOSCRIPT (a restart, a new primary after a
 * failover, SCRIPT FLUSH), so the script never has to be loaded by hand. The command's name is derived from the
 * script, so stores built twice on one connection (tests, two roles in one process) share one definition.
 */
export function luaScript<R = unknown>(redis: Redis, lua: string): LuaScript<R> {
  const name = `lua_${createHash('sha1').update(lua).digest('hex')}`;
  const target = redis as unknown as Record<string, Caller | undefined>;
  if (typeof target[name] !== 'function') redis.defineCommand(name, { lua });
  return (keys, args) => (target[name] as Caller).call(redis, keys.length, ...keys, ...args) as Promise<R>;
}
