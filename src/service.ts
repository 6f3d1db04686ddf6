import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { buildApp } from './app.js';
import { createDeps, type Deps } from './deps.js';
import { createLogger } from './logger.js';
import { ProgrammeFileError, readProgrammeFile } from './programme-file.js';
import { startWorker, type RunningWorker } from '../workers/worker.js';

export interface RunningService {
  deps: Deps;
  app: FastifyInstance | undefined;
  worker: RunningWorker | undefined;
  close(): Promise<void>;
}

/** Starts what ROLE asks for; shutdown runs in order: stop HTTP (drain), close workers, then queues and Redis. */
export async function startService(config: Config): Promise<RunningService> {
  const logger = createLogger(config.logLevel);
  const deps = await createDeps(config, logger);
  let app: FastifyInstance | undefined;
  let worker: RunningWorker | undefined;
  const close = async () => {
    await app?.close();
    await worker?.close();
    await deps.close();
  };
  try {
    if (config.programmeFile !== undefined) {
      const programme = await readProgrammeFile(config.programmeFile);
      const { created, event } = await deps.events.put(programme);
      logger.info({ eventId: event.id, version: event.version, created }, 'programme file loaded');
    }
    if (config.role !== 'api') worker = await startWorker(deps);
    if (config.role !== 'worker') {
      app = await buildApp(deps);
      await app.listen({ port: config.http.port, host: config.http.host });
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  logger.info({ role: config.role }, 'service started');
  return { deps, app, worker, close };
}

/** Entry-point glue shared by src/server.ts and workers/main.ts. */
export async function main(env: NodeJS.ProcessEnv): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  let service: RunningService;
  try {
    service = await startService(config);
  } catch (error) {
    const message = error instanceof ProgrammeFileError ? error.message : `failed to start: ${(error as Error).message}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  closeWithGrace({ delay: 25_000, logger: false }, async ({ signal, err }) => {
    if (err) service.deps.logger.error({ err }, 'fatal error, shutting down');
    else service.deps.logger.info({ signal }, 'shutting down');
    await service.close();
  });
}
