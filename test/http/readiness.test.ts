import { afterAll, describe, expect, it } from 'vitest';
import { OwnRedis } from '../helpers/own-redis.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('/readyz follows Redis', () => {
  let redis: OwnRedis;
  let t: TestApp;
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await redis?.destroy();
  });

  it('is 503 while Redis is down and 200 again after it returns, without restarting the process', async () => {
    redis = await OwnRedis.create();
    await redis.start();
    t = await createTestApp({ config: testConfig({ REDIS_URL: redis.url }) });
    const ready = () => t.app.inject({ method: 'GET', url: '/readyz' });
    expect((await ready()).statusCode).toBe(200);

    await redis.stop();
    await expect.poll(async () => (await ready()).statusCode, { timeout: 5000 }).toBe(503);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const stored = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events/x',
      headers: { authorization: `Bearer ${testConfig().organizerTokens[0]}` },
    });
    expect(stored.statusCode).toBe(503);

    await redis.start();
    await expect.poll(async () => (await ready()).statusCode, { timeout: 10_000, interval: 200 }).toBe(200);
  });
});
