import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createDurability, immediate, type Durability } from '../../src/store/durability.js';
import { isRedisUnavailable, WriteNotReplicatedError } from '../../src/store/redis.js';
import { freePort, OwnRedis } from '../helpers/own-redis.js';
import { uniquePrefix } from '../helpers/redis-keys.js';

/** WAIT against a real primary with one replica of its own (both started here, never the shared Redis). */
let primary: OwnRedis;
let replica: OwnRedis;
let admin: Redis;
let redis: Redis;

beforeAll(async () => {
  primary = await OwnRedis.create();
  await primary.start();
  replica = new OwnRedis(await freePort());
  await replica.start();
  admin = new Redis(replica.url);
  // Redis waits 5 s by default before a diskless full sync, hoping for more replicas to serve at once.
  const setup = new Redis(primary.url);
  await setup.config('SET', 'repl-diskless-sync-delay', '0');
  setup.disconnect();
  await admin.replicaof('127.0.0.1', String(primary.port));
  redis = new Redis(primary.url, { enableOfflineQueue: false });
  await new Promise((r) => (redis.status === 'ready' ? r(undefined) : redis.once('ready', r)));
  for (let i = 0; i < 100 && !/master_link_status:up/.test(await admin.info('replication')); i++) await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  redis?.disconnect();
  admin?.disconnect();
  await replica?.destroy();
  await primary?.destroy();
});

describe('the durability rule (WAIT after acknowledged writes)', () => {
  const key = `${uniquePrefix('durability')}:k`;
  const channel = `${uniquePrefix('durability')}:durability`;
  const opened: Durability[] = [];
  const durable = async (replicas: number, timeoutMs: number) => {
    const d = createDurability(redis, { replicas, timeoutMs, channel });
    opened.push(d);
    await d.ready();
    return d;
  };
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
  });

  it('answers once a replica has the write, and the replica has it', async () => {
    const durability = await durable(1, 1000);
    expect(await durability.confirm(() => redis.set(key, 'v1'))).toBe('OK');
    expect(await admin.get(key)).toBe('v1');
  });

  it('is a WriteNotReplicatedError (a 503 for the API) when fewer replicas confirm in time', async () => {
    const durability = await durable(2, 100);
    const error = await durability.confirm(() => redis.set(key, 'v2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteNotReplicatedError);
    expect(isRedisUnavailable(error, redis)).toBe(true);
  });

  it('does not trust a WAIT answered on another connection than the write', async () => {
    const durability = await durable(1, 1000);
    const error = await durability
      .confirm(async () => {
        await redis.set(key, 'v3');
        // As if the socket had closed and ioredis had resent WAIT on a new one.
        redis.emit('close');
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteNotReplicatedError);
  });

  it('waits for the replica to have the writes of the shared connection, not only its own (a stalled replica fails it)', async () => {
    const durability = await durable(1, 200);
    const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
    // The replica is a process of this test; stopped, it cannot acknowledge anything.
    process.kill(pid, 'SIGSTOP');
    try {
      const error = await durability.confirm(() => redis.set(key, 'stalled')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriteNotReplicatedError);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await durability.confirm(() => redis.set(key, 'resumed'))).toBe('OK');
    expect(await admin.get(key)).toBe('resumed');
  });

  it('serves concurrent requests with few confirmations (group commit), each after its own writes', async () => {
    const durability = await durable(1, 1000);
    const waits = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const before = await waits();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => durability.confirm(() => redis.set(`${key}:${i}`, String(i)))));
    expect(results.every((r) => r === 'OK')).toBe(true);
    const used = (await waits()) - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThan(50);
    for (let i = 0; i < 50; i += 10) expect(await admin.get(`${key}:${i}`)).toBe(String(i));
  });

  it('waits for nobody without replicas to wait for', async () => {
    expect(createDurability(redis, { replicas: 0, timeoutMs: 1000, channel })).toBe(immediate);
    expect(await immediate.confirm(async () => 7)).toBe(7);
  });
});
