import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { KeySpace } from '../store/redis.js';

export interface ReconcileLoopDeps {
  /** The connection whose losses mean "Redis may have lost writes" (the core's), and that holds the lease. */
  redis: Redis;
  keys: KeySpace;
  logger: Logger;
  /** 0: only at start and after a lost connection. */
  intervalMs: number;
  /** Re-plans every event; idempotent (deterministic job ids), so running it twice costs only time. */
  reconcileAll(): Promise<void>;
  /** How long after the connection is back to wait before re-planning: a failover settles first. */
  afterReconnectMs?: number;
}

export interface ReconcileLoop {
  /** The start-up run; resolves when it is done (failures are logged, never thrown). */
  runAtStart(): Promise<void>;
  start(): void;
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Jobs live in Redis, and a failover can lose the last writes before it: a job enqueued a moment before,
 * a claim, a room's plan. Every event is therefore re-planned when a worker starts, a few seconds after its
 * Redis connection came back, and periodically. The periodic run takes a lease so that of many workers
 * one does it per period; the others are cheap no-ops until the lease lapses.
 */
export function createReconcileLoop(deps: ReconcileLoopDeps): ReconcileLoop {
  const { redis, logger } = deps;
  const owner = randomUUID();
  const leaseKey = deps.keys.key('reconcile', 'lease');
  const afterReconnectMs = deps.afterReconnectMs ?? 3000;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let lost = false;
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  async function once(reason: string): Promise<void> {
    const startedAt = Date.now();
    try {
      await deps.reconcileAll();
      logger.info({ reason, ms: Date.now() - startedAt }, 'every event re-planned');
    } catch (error) {
      logger.error({ reason, err: { message: (error as Error).message } }, 're-planning failed; the next run retries it');
    }
  }

  /** One run at a time per process; a request during a run makes one more run after it. */
  function run(reason: string): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = once(reason).finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        void run(`${reason} (requested again)`);
      }
    });
    return running;
  }

  async function periodic(): Promise<void> {
    try {
      // The lease lapses a little before the next period, so a worker that stopped hands over by itself.
      const lease = await redis.set(leaseKey, owner, 'PX', Math.max(100, Math.floor(deps.intervalMs * 0.9)), 'NX');
      if (lease === 'OK') await run('periodic');
    } catch (error) {
      logger.warn({ err: { message: (error as Error).message } }, 'periodic re-planning skipped: Redis did not answer');
    }
  }

  function schedulePeriodic(): void {
    if (deps.intervalMs <= 0) return;
    // ±10 % so workers started together do not all ask for the lease in the same millisecond.
    const delay = Math.round(deps.intervalMs * (0.9 + Math.random() * 0.2));
    later(delay, () => void periodic().finally(schedulePeriodic));
  }

  const onClose = () => {
    lost = true;
  };
  const onReady = () => {
    if (!lost) return;
    lost = false;
    later(afterReconnectMs, () => void run('redis connection restored'));
  };

  return {
    runAtStart: () => run('start'),
    start() {
      redis.on('close', onClose);
      redis.on('ready', onReady);
      schedulePeriodic();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      redis.off('close', onClose);
      redis.off('ready', onReady);
      await running;
    },
  };
}
