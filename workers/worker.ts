import type { Deps } from '../src/deps.js';
import { createRedis } from '../src/store/redis.js';

export interface RunningWorker {
  close(): Promise<void>;
}

/** Starts the job consumers on their own blocking Redis connection. */
export async function startWorker(deps: Deps): Promise<RunningWorker> {
  const connection = createRedis(deps.config.redisUrl, 'worker');
  connection.on('error', (error) => deps.logger.warn({ err: { message: error.message } }, 'worker redis connection error'));
  deps.logger.info('worker started');
  return {
    async close() {
      await connection.quit().catch(() => connection.disconnect());
      deps.logger.info('worker stopped');
    },
  };
}
