import type { Config } from '../../config/env.js';
import type { Clock } from '../../src/clock.js';
import { createApi, type ApiParts } from '../../src/composition/api.js';
import { createCore, type Core } from '../../src/composition/core.js';
import { createWorker } from '../../src/composition/worker.js';
import type { Logger } from '../../src/logger.js';
import { createZoomClient, type ZoomClient } from '../../src/providers/zoom/zoom-client.js';
import { startJobRunner, type RunningWorker, type WorkerOptions } from '../../src/workers/job-runner.js';

/**
 * A flat view over the core and the API parts, for tests that reach past the HTTP layer (a store, a queue,
 * the cache); production code gets its narrowed parts from src/composition instead.
 */
export function flatDeps(core: Core, api: ApiParts) {
  let zoom: { client: ZoomClient } | undefined;
  return {
    ...core,
    eventStore: core.stores.events,
    roomStates: core.stores.rooms,
    attendance: core.stores.attendance,
    zoomStore: core.stores.zoom,
    participantStore: api.participantStore,
    participantCache: api.participantCache,
    participants: api.app.participants,
    access: api.app.access,
    joins: api.app.joins,
    plans: api.app.plans,
    /** A Zoom client of the test's own, configured like the worker's, to act on the simulator directly. */
    get zoom(): { client: ZoomClient } | undefined {
      const z = core.config.zoom;
      if (!z) return undefined;
      zoom ??= { client: createZoomClient({ ...z, redis: core.redis, keyPrefix: core.keys.key('zoom-token') }) };
      return zoom;
    },
    async close() {
      zoom?.client.close();
      await api.close();
      await core.close();
    },
  };
}
export type TestDeps = ReturnType<typeof flatDeps>;

export interface ServiceParts {
  core: Core;
  api: ApiParts;
  deps: TestDeps;
  /** The worker composition and its BullMQ workers on the same core, as ROLE=all runs them. */
  startWorker(options?: WorkerOptions): Promise<RunningWorker>;
}

export async function createServiceParts(config: Config, logger: Logger, options: { keyPrefix: string; clock?: Clock }): Promise<ServiceParts> {
  const core = await createCore(config, logger, { keyPrefix: options.keyPrefix, ...(options.clock ? { clock: options.clock } : {}) });
  const api = createApi(core);
  return {
    core,
    api,
    deps: flatDeps(core, api),
    async startWorker(workerOptions = {}) {
      const parts = createWorker(core);
      const running = await startJobRunner(parts.runner, workerOptions);
      return {
        workers: running.workers,
        async close() {
          await running.close();
          parts.close();
        },
      };
    },
  };
}
