import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/env.js';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { createDeps, type Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { deleteKeys, uniquePrefix } from './redis-keys.js';
import { ORGANIZER_TOKEN, testConfig } from './test-config.js';

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  prefix: string;
  close(): Promise<void>;
}

export async function createTestApp(options: { config?: Config; clock?: Clock } = {}): Promise<TestApp> {
  const config = options.config ?? testConfig();
  const prefix = uniquePrefix('app');
  const deps = await createDeps(config, createLogger('silent'), { keyPrefix: prefix, clock: options.clock });
  const app = await buildApp(deps);
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
