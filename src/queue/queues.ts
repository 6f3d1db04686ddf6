import { Queue, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { jobRegistry, KEEP_FINISHED, QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from './job-registry.js';

export interface Queues {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: JobsOptions & { jobId: string }): Promise<Job>;
  get(queue: QueueName): Queue;
  close(): Promise<void>;
}

/** Producers only: consumers live in workers/ and are switched off by ROLE, producers never are. */
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
    get,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
