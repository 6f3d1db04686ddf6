import type { Redis } from 'ioredis';
import { WriteNotReplicatedError } from './redis.js';

/**
 * The durability rule: a write that is acknowledged (a 201 for participants, a 200 for a programme, an
 * in-flight mark before a provider call) has reached at least `replicas` replicas first. Redis replicates
 * asynchronously, so without this a failover can promote a replica that never saw an answered write.
 */
export interface Durability {
  readonly replicas: number;
  /** Runs the writes, then waits for the replicas (one WAIT however many keys they touched). */
  confirm<T>(writes: () => Promise<T>): Promise<T>;
  /** Resolves once confirmations can be asked for (bounded like the first connection at start). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface DurabilityOptions {
  /** 0 turns the rule off: a single Redis has no replica to wait for. */
  replicas: number;
  timeoutMs: number;
  /** A channel nobody listens to; a PUBLISH there moves the waiting connection's replication offset. */
  channel: string;
}

export const immediate: Durability = {
  replicas: 0,
  confirm: (writes) => writes(),
  ready: async () => undefined,
  close: async () => undefined,
};

/**
 * WAIT blocks the connection it is sent on, so it does not go on the connection every request shares
 * (one slow replica would hold up every read behind it): a second connection waits. WAIT counts what the
 * waiting connection itself wrote, and the replication stream is one ordered log, so a PUBLISH there after
 * the writes were answered carries an offset past all of them. Requests whose writes finish while a
 * confirmation is under way share the next one (group commit): one PUBLISH + WAIT serves them all.
 *
 * A confirmation proves something only while both connections stay on the primary that took the writes:
 * ioredis resends commands in flight when a socket closes, and a WAIT answered by a freshly promoted
 * primary would count its replicas for writes it never received. So any close of either connection between
 * the first write and the answer leaves the write unconfirmed.
 */
export function createDurability(redis: Redis, options: DurabilityOptions): Durability {
  if (options.replicas <= 0) return immediate;
  const waiter = redis.duplicate({ connectionName: `${options.channel}:waiter` });
  // Its failures reach the callers as WriteNotReplicatedError; the shared connection logs the outage.
  waiter.on('error', () => undefined);
  let writerCloses = 0;
  let waiterCloses = 0;
  redis.on('close', () => (writerCloses += 1));
  waiter.on('close', () => (waiterCloses += 1));

  let inFlight: Promise<number> | undefined;
  let next: Promise<number> | undefined;

  async function round(): Promise<number> {
    try {
      await waiter.publish(options.channel, '');
      return Number(await waiter.wait(options.replicas, options.timeoutMs));
    } catch (error) {
      throw new WriteNotReplicatedError((error as Error).message);
    }
  }

  /** A confirmation sent after the caller's writes were answered: the one starting now, or the next one. */
  function join(): Promise<number> {
    if (!inFlight) {
      inFlight = round().finally(() => (inFlight = undefined));
      return inFlight;
    }
    next ??= inFlight
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return join();
      });
    return next;
  }

  return {
    replicas: options.replicas,
    async confirm(writes) {
      const before = { writer: writerCloses, waiter: waiterCloses };
      const result = await writes();
      const acknowledged = await join();
      if (writerCloses !== before.writer || waiterCloses !== before.waiter) {
        throw new WriteNotReplicatedError('the connection to the primary changed meanwhile');
      }
      if (acknowledged < options.replicas) {
        throw new WriteNotReplicatedError(`${acknowledged} of ${options.replicas} replicas within ${options.timeoutMs} ms`);
      }
      return result;
    },
    async ready(timeoutMs = 10_000) {
      if (waiter.status === 'ready') return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter.off('ready', onReady);
          reject(new WriteNotReplicatedError(`the confirming connection was not ready within ${timeoutMs} ms`));
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve();
        };
        waiter.once('ready', onReady);
      });
    },
    async close() {
      await waiter.quit().catch(() => waiter.disconnect());
    },
  };
}
