import { UnrecoverableError, type Job } from 'bullmq';
import type { Deps } from '../../src/deps.js';
import type { JobName, JobPayload } from '../../src/queue/job-registry.js';
import { bbbCreateRoom } from './bbb-create-room.js';
import { zoomRegisterBatch } from './zoom-register-batch.js';
import { zoomSyncRegistrants } from './zoom-sync-registrants.js';
import { zoomSyncWebinar } from './zoom-sync-webinar.js';

export type Processors = { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<unknown> };

const notConfigured = (what: string) => async () => {
  throw new UnrecoverableError(`${what} is not configured`);
};

export function createProcessors(deps: Deps): Partial<Processors> {
  const zoom = deps.zoom;
  const common = { rooms: deps.roomStates, clock: deps.clock };
  return {
    'bbb.create-room': deps.bbb
      ? bbbCreateRoom({ ...common, events: deps.eventStore, bbbRooms: deps.bbb.rooms })
      : notConfigured('BigBlueButton (BBB_URL)'),
    'zoom.sync-webinar': zoom
      ? zoomSyncWebinar({
          ...common,
          events: deps.eventStore,
          zoom: zoom.client,
          zoomStore: deps.zoomStore,
          queues: deps.queues,
          userId: zoom.userId,
          onWebinarKnown: zoom.onWebinarKnown,
        })
      : notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
    'zoom.sync-registrants': zoom
      ? zoomSyncRegistrants({ clock: deps.clock, rooms: deps.roomStates, participants: deps.participantStore, zoom: zoom.client, zoomStore: deps.zoomStore, queues: deps.queues })
      : notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
    'zoom.register-batch': zoom
      ? zoomRegisterBatch({ ...common, participants: deps.participantStore, zoom: zoom.client, zoomStore: deps.zoomStore, logger: deps.logger, pacer: zoom.heavyCalls, queues: deps.queues })
      : notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
  };
}
