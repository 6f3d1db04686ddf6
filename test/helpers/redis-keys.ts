import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { deleteMatching } from '../../src/store/redis.js';

export function uniquePrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}`;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  await deleteMatching(redis, `${prefix}*`);
}
