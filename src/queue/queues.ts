import { Queue, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { jobRegistry, KEEP_FINISHED, QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from './job-registry.js';

export interface Queues {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: JobsOptions & { jobId: string }): Promise<Job>;
  /** One round trip per queue for many jobs (BullMQ addBulk); each payload is checked as enqueue does. */
  enqueueMany<N extends JobName>(jobs: ReadonlyArray<{ name: N; payload: JobPayload<N>; options: JobsOptions & { jobId: string } }>): Promise<void>;
  get(queue: QueueName): Queue;
  close(): Promise<void>;
}

/** Producers only: consumers live in src/workers/ and are switched off by ROLE, producers never are. */
export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const queues = new Map(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix: `${prefix}:bull` })]));
  const get = (name: QueueName) => {
    const queue = queues.get(name);
    if (!queue) throw new Error(`no queue ${name}`);
    return queue;
  };
  return {
    async enqueue(name, payload, options) {
      const entry = jobRegistry[name];
      const data = entry.payload.parse(payload);
      return get(entry.queue).add(name, data, { ...KEEP_FINISHED, ...entry.options, ...options });
    },
    async enqueueMany(jobs) {
      const byQueue = new Map<QueueName, Array<{ name: string; data: unknown; opts: JobsOptions }>>();
      for (const job of jobs) {
        const entry = jobRegistry[job.name];
        const list = byQueue.get(entry.queue) ?? [];
        list.push({ name: job.name, data: entry.payload.parse(job.payload), opts: { ...KEEP_FINISHED, ...entry.options, ...job.options } });
        byQueue.set(entry.queue, list);
      }
      await Promise.all([...byQueue].map(([queue, list]) => get(queue).addBulk(list)));
    },
    get,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
