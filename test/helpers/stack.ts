import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import type { RunningWorker } from '../../src/workers/job-runner.js';
import { startBbbServer, TEST_BBB_SECRET, type BbbSimulator } from '../fakes/bbb-server.js';
import { SIM_CREDENTIALS, type ZoomSimulator } from '../fakes/zoom-server.js';
import { deleteKeys, uniquePrefix } from './redis-keys.js';
import { createServiceParts, type ServiceParts, type TestDeps } from './service-parts.js';
import { testConfig } from './test-config.js';

export interface Stack {
  app: FastifyInstance;
  deps: TestDeps;
  /** Starts (another) worker on this stack's core. */
  startWorker: ServiceParts['startWorker'];
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
  /** When given, the service is configured for this Zoom simulator. */
  zoom?: ZoomSimulator;
  prefix?: string;
}

export function zoomEnv(zoom: ZoomSimulator): Record<string, string> {
  return {
    ZOOM_ACCOUNT_ID: SIM_CREDENTIALS.accountId,
    ZOOM_CLIENT_ID: SIM_CREDENTIALS.clientId,
    ZOOM_CLIENT_SECRET: SIM_CREDENTIALS.clientSecret,
    ZOOM_API_URL: zoom.apiUrl,
    ZOOM_OAUTH_URL: zoom.oauthUrl,
  };
}

/** API (and optionally a worker) wired to a BigBlueButton simulator on loopback, on the shared Redis. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const bbb = options.bbb ?? (await startBbbServer());
  const config = testConfig({
    BBB_URL: bbb.url,
    BBB_SECRET: TEST_BBB_SECRET,
    LOG_LEVEL: 'debug',
    ...(options.zoom ? zoomEnv(options.zoom) : {}),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const prefix = options.prefix ?? uniquePrefix('stack');
  const parts = await createServiceParts(config, logger, { keyPrefix: prefix, ...(options.clock ? { clock: options.clock } : {}) });
  const { deps } = parts;
  const app = await buildApp(parts.api.app);
  await app.ready();
  const worker = options.worker ? await parts.startWorker() : undefined;
  return {
    app,
    deps,
    startWorker: parts.startWorker,
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
