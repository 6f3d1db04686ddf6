// The entry of every process kind (ROLE=api, worker or all): configuration, start, graceful shutdown.
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { startRoles, type RunningService } from './composition/roles.js';
import { ProgrammeFileError } from './programme-file.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  throw error;
}

let service: RunningService;
try {
  service = await startRoles(config);
} catch (error) {
  const message = error instanceof ProgrammeFileError ? error.message : `failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

closeWithGrace({ delay: 25_000, logger: false }, async ({ signal, err }) => {
  if (err) service.core.logger.error({ err }, 'fatal error, shutting down');
  else service.core.logger.info({ signal }, 'shutting down');
  await service.close();
});
