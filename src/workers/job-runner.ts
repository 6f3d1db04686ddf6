import { Worker, type Job } from 'bullmq';
import { wallClock } from '../clock.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../logger.js';
import type { BullmqLimiter } from '../providers/zoom/rate-limits.js';
import { jobRegistry, QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from '../queue/job-registry.js';
import { ProviderRateLimited } from '../queue/rate-limited.js';
import { createRedis, type RedisTarget } from '../store/redis.js';

export type Processors = { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<unknown> };

/** What the BullMQ workers need: the processors and limiters come from the worker composition. */
export interface JobRunnerDeps {
  logger: Logger;
  metrics: Pick<Metrics, 'jobLag' | 'jobsFinished'>;
  /** The BullMQ workers' own connection goes here (through the sentinels when there are some). */
  redis: string | RedisTarget;
  queuePrefix: string;
  processors: Partial<Processors>;
  limiters: Partial<Record<QueueName, BullmqLimiter>>;
  /** Runs in the background once the workers are up. */
  recover(): Promise<void>;
  /** Re-plans periodically and after a lost connection, from start-up until close. */
  replanning?: { start(): void; stop(): Promise<void> };
}

// Room creates are independent; webinar edits run one at a time so they coalesce; batch registrations
// run several at once because the limiter, not concurrency, paces them.
// Mail sends are paced by the queue's limiter (MAIL_MAX_PER_SECOND) over a few pooled SMTP connections.
const CONCURRENCY: Record<QueueName, number> = { bbb: 10, zoom: 1, 'zoom-registrants': 8, mail: 8, messages: 1 };

export interface RunningWorker {
  workers: Worker[];
  close(): Promise<void>;
}

/** Fails at boot when a job in the registry has no handler, rather than when the first such job runs. */
function checkHandlers(processors: Partial<Processors>): asserts processors is Processors {
  const missing = (Object.keys(jobRegistry) as JobName[]).filter((name) => typeof processors[name] !== 'function');
  if (missing.length > 0) throw new Error(`no handler for jobs: ${missing.join(', ')}`);
}

export interface WorkerOptions {
  concurrency?: Partial<Record<QueueName, number>>;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export async function startJobRunner(deps: JobRunnerDeps, options: WorkerOptions = {}): Promise<RunningWorker> {
  const { processors } = deps;
  checkHandlers(processors);
  const connection = createRedis(deps.redis, 'worker');
  connection.on('error', (error) => deps.logger.warn({ err: { message: error.message } }, 'worker redis connection error'));

  const workers = QUEUE_NAMES.map((queue) => {
    const limiter = deps.limiters[queue];
    const worker: Worker = new Worker(
      queue,
      async (job: Job) => {
        const name = job.name as JobName;
        const entry = jobRegistry[name];
        if (!entry) throw new Error(`unknown job ${job.name}`);
        const payload = entry.payload.parse(job.data) as JobPayload<typeof name>;
        const log = deps.logger.child({ jobId: job.id, job: name, attempt: job.attemptsMade + 1 });
        log.info('job started');
        const due = job.timestamp + (job.opts.delay ?? 0);
        if (job.attemptsMade === 0) deps.metrics.jobLag.observe({ job: name }, Math.max(0, wallClock.now().getTime() - due) / 1000);
        try {
          const result = await (processors[name] as (p: typeof payload, j: Job) => Promise<unknown>)(payload, job);
          log.info('job completed');
          deps.metrics.jobsFinished.inc({ job: name, result: 'completed' });
          return result;
        } catch (error) {
          if (error instanceof ProviderRateLimited) {
            log.warn({ retryAfterMs: error.retryAfterMs }, 'provider rate limit: queue paused');
            deps.metrics.jobsFinished.inc({ job: name, result: 'rate-limited' });
            await worker.rateLimit(error.retryAfterMs);
            throw Worker.RateLimitError();
          }
          deps.metrics.jobsFinished.inc({ job: name, result: 'failed' });
          throw error;
        }
      },
      {
        connection,
        prefix: deps.queuePrefix,
        concurrency: options.concurrency?.[queue] ?? CONCURRENCY[queue],
        // A worker that dies (SIGKILL, OOM) holds its jobs' locks until they lapse: with these values another
        // worker takes them over within about 20 s instead of a minute. No job holds a call longer than 10 s.
        lockDuration: options.lockDurationMs ?? 15_000,
        stalledInterval: options.stalledIntervalMs ?? 5_000,
        maxStalledCount: 3,
        ...(limiter ? { limiter } : {}),
      },
    );
    worker.on('failed', (job, error) =>
      deps.logger.warn({ jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: { message: error.message } }, 'job failed'),
    );
    worker.on('error', (error) => deps.logger.warn({ err: { message: error.message } }, 'worker error'));
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  deps.logger.info({ queues: QUEUE_NAMES }, 'worker started');
  // In the background: recovery must not hold up start-up, but shutdown waits for it.
  const recovery = deps.recover();
  deps.replanning?.start();

  return {
    workers,
    async close() {
      await deps.replanning?.stop();
      await recovery;
      // Active jobs finish before close resolves; then the blocking connection goes.
      await Promise.all(workers.map((w) => w.close()));
      await connection.quit().catch(() => connection.disconnect());
      deps.logger.info('worker stopped');
    },
  };
}
