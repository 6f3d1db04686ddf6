import { UnrecoverableError } from 'bullmq';
import type { Deps } from '../../src/deps.js';
import type { JobName, JobPayload } from '../../src/queue/job-registry.js';
import { bbbCreateRoom } from './bbb-create-room.js';
import type { Job } from 'bullmq';

export type Processors = { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<unknown> };

const notConfigured = (what: string) => async () => {
  throw new UnrecoverableError(`${what} is not configured`);
};

export function createProcessors(deps: Deps): Partial<Processors> {
  return {
    'bbb.create-room': deps.bbb
      ? bbbCreateRoom({ events: deps.eventStore, rooms: deps.roomStates, bbbRooms: deps.bbb.rooms, clock: deps.clock })
      : notConfigured('BigBlueButton (BBB_URL)'),
    'zoom.sync-webinar': notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
    'zoom.register': notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
  };
}
