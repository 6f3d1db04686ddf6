import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createZoomTokenStore } from '../../../src/providers/zoom/token-store.js';
import { ZoomApiError } from '../../../src/providers/zoom/zoom-errors.js';
import { deleteKeys, uniquePrefix } from '../../helpers/redis-keys.js';
import { SIM_CREDENTIALS, startZoomServer, type ZoomSimulator } from '../../fakes/zoom-server.js';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const connections: Redis[] = [];
const sims: ZoomSimulator[] = [];
const prefixes: string[] = [];

function redis(): Redis {
  const r = new Redis(url);
  connections.push(r);
  return r;
}

afterEach(async () => {
  const admin = connections[0];
  if (admin) for (const p of prefixes.splice(0)) await deleteKeys(admin, p);
  for (const s of sims.splice(0)) await s.close();
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
});

const fetches = (sim: ZoomSimulator) => sim.calls.filter((c) => c.path === '/oauth/token').length;

describe('redis token store', () => {
  it('fetches once for many concurrent callers in separate "processes"', async () => {
    const sim = await startZoomServer({});
    sims.push(sim);
    sim.faults.latencyMs = 100;
    const keyPrefix = uniquePrefix('zoom-token');
    prefixes.push(keyPrefix);
    const stores = Array.from({ length: 4 }, () => createZoomTokenStore({ ...SIM_CREDENTIALS, oauthUrl: sim.oauthUrl, redis: redis(), keyPrefix }));
    const tokens = await Promise.all(stores.flatMap((s) => [s.getLatestToken(), s.getLatestToken()]));
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(fetches(sim)).toBe(1);
    const first = tokens[0];
    expect(Date.parse(first?.expirationTimeIso ?? '') - Date.now()).toBeGreaterThan(3500_000);
  });

  it('refreshes when the cached token is about to expire and invalidates only the rejected token', async () => {
    const sim = await startZoomServer({});
    sims.push(sim);
    const keyPrefix = uniquePrefix('zoom-token');
    prefixes.push(keyPrefix);
    let now = Date.now();
    const store = createZoomTokenStore({ ...SIM_CREDENTIALS, oauthUrl: sim.oauthUrl, redis: redis(), keyPrefix, now: () => now });
    const a = await store.getAccessToken();
    now += 3600_000 - 60_000;
    const b = await store.getAccessToken();
    expect(b).not.toBe(a);
    await store.invalidate(a);
    expect(await store.getAccessToken()).toBe(b);
    await store.invalidate(b);
    expect(await store.getAccessToken()).not.toBe(b);
    expect(fetches(sim)).toBe(3);
  });

  it('fails permanently on bad credentials with the Zoom code', async () => {
    const sim = await startZoomServer({});
    sims.push(sim);
    const keyPrefix = uniquePrefix('zoom-token');
    prefixes.push(keyPrefix);
    const store = createZoomTokenStore({ ...SIM_CREDENTIALS, clientSecret: 'wrong', oauthUrl: sim.oauthUrl, redis: redis(), keyPrefix });
    const err = (await store.getAccessToken().catch((e: unknown) => e)) as ZoomApiError;
    expect(err).toBeInstanceOf(ZoomApiError);
    expect([err.status, err.code, err.permanent]).toEqual([401, 4704, true]);
  });
});
