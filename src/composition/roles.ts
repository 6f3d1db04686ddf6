import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/env.js';
import { buildApp } from '../app.js';
import { createLogger } from '../logger.js';
import { readProgrammeFile } from '../programme-file.js';
import { startJobRunner, type RunningWorker } from '../workers/job-runner.js';
import { createApi, type ApiParts } from './api.js';
import { createCore, type Core } from './core.js';
import { createWorker } from './worker.js';

export interface RunningService {
  core: Core;
  api: ApiParts | undefined;
  app: FastifyInstance | undefined;
  worker: RunningWorker | undefined;
  close(): Promise<void>;
}

/**
 * Starts what ROLE asks for on one shared core: the API, the workers, or both. Shutdown runs in order:
 * stop HTTP (drain), close the workers (active jobs finish), the API's subscriber, then queues and Redis.
 */
export async function startRoles(config: Config): Promise<RunningService> {
  const logger = createLogger(config.logLevel);
  const core = await createCore(config, logger);
  let api: ApiParts | undefined;
  let app: FastifyInstance | undefined;
  let worker: RunningWorker | undefined;
  let closeWorkerParts: (() => void) | undefined;
  const close = async () => {
    await app?.close();
    await worker?.close();
    closeWorkerParts?.();
    await api?.close();
    await core.close();
  };
  try {
    if (config.programmeFile !== undefined) {
      const programme = await readProgrammeFile(config.programmeFile);
      const { created, event } = await core.events.put(programme);
      logger.info({ eventId: event.id, version: event.version, created }, 'programme file loaded');
    }
    if (config.role !== 'api') {
      const parts = createWorker(core);
      closeWorkerParts = parts.close;
      worker = await startJobRunner(parts.runner);
    }
    if (config.role !== 'worker') {
      api = createApi(core);
      app = await buildApp(api.app);
      await app.listen({ port: config.http.port, host: config.http.host });
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  logger.info({ role: config.role }, 'service started');
  return { core, api, app, worker, close };
}
