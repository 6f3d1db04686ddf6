import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { createDeps, type Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { startWorker, type RunningWorker } from '../../workers/worker.js';
import { startBbbServer, TEST_BBB_SECRET, type BbbSimulator } from '../fakes/bbb-server.js';
import { deleteKeys, uniquePrefix } from './redis-keys.js';
import { testConfig } from './test-config.js';

export interface Stack {
  app: FastifyInstance;
  deps: Deps;
  worker: RunningWorker | undefined;
  bbb: BbbSimulator;
  logs: string[];
  prefix: string;
  close(): Promise<void>;
}

export interface StackOptions {
  clock?: Clock;
  worker?: boolean;
  env?: Record<string, string>;
  bbb?: BbbSimulator;
  prefix?: string;
}

/** API (and optionally a worker) wired to a BigBlueButton simulator on loopback, on the shared Redis. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const bbb = options.bbb ?? (await startBbbServer());
  const config = testConfig({ BBB_URL: bbb.url, BBB_SECRET: TEST_BBB_SECRET, LOG_LEVEL: 'debug', ...options.env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const prefix = options.prefix ?? uniquePrefix('stack');
  const deps = await createDeps(config, logger, { keyPrefix: prefix, ...(options.clock ? { clock: options.clock } : {}) });
  const app = await buildApp({ ...deps, organizerTokens: config.organizerTokens, publicBaseUrl: config.http.publicBaseUrl });
  await app.ready();
  const worker = options.worker ? await startWorker(deps) : undefined;
  return {
    app,
    deps,
    worker,
    bbb,
    logs,
    prefix,
    async close() {
      await app.close();
      await worker?.close();
      await deleteKeys(deps.redis, prefix).catch(() => undefined);
      await deps.close();
      if (!options.bbb) await bbb.close();
    },
  };
}
