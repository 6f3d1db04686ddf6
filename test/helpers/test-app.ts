import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/env.js';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { deleteKeys, uniquePrefix } from './redis-keys.js';
import { createServiceParts, type TestDeps } from './service-parts.js';
import { ORGANIZER_TOKEN, testConfig } from './test-config.js';

export interface TestApp {
  app: FastifyInstance;
  deps: TestDeps;
  prefix: string;
  close(): Promise<void>;
}

export async function createTestApp(options: { config?: Config; clock?: Clock } = {}): Promise<TestApp> {
  const config = options.config ?? testConfig();
  const prefix = uniquePrefix('app');
  const parts = await createServiceParts(config, createLogger('silent'), { keyPrefix: prefix, ...(options.clock ? { clock: options.clock } : {}) });
  const { deps } = parts;
  const app = await buildApp(parts.api.app);
  await app.ready();
  return {
    app,
    deps,
    prefix,
    async close() {
      await app.close();
      await deleteKeys(deps.redis, prefix).catch(() => undefined);
      await deps.close();
    },
  };
}

export const auth = { authorization: `Bearer ${ORGANIZER_TOKEN}` };
