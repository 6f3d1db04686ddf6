import { UnrecoverableError } from 'bullmq';
import { bullmqLimiterFor, zoomLabelLimit, type BullmqLimiter } from '../providers/zoom/rate-limits.js';
import { createCallPacer } from '../providers/zoom/call-pacer.js';
import type { ZoomClient } from '../providers/zoom/zoom-client.js';
import type { QueueName } from '../queue/job-registry.js';
import { createParticipantStore, type ParticipantStore } from '../store/participant-store.js';
import { settleOwedInvitations } from '../services/owed-invitations.js';
import type { JobRunnerDeps, Processors } from '../workers/job-runner.js';
import { bbbCreateRoom } from '../workers/processors/bbb-create-room.js';
import { zoomRegisterBatch } from '../workers/processors/zoom-register-batch.js';
import { zoomSyncRegistrants } from '../workers/processors/zoom-sync-registrants.js';
import { zoomSyncWebinar } from '../workers/processors/zoom-sync-webinar.js';
import type { Core } from './core.js';
import { zoomClientFor } from './zoom-client.js';
import { createTranslations } from '../i18n/i18n.js';
import { createSmtpTransport } from '../providers/mail/mail-transport.js';
import { mailSend } from '../workers/processors/mail-send.js';
import { confirmationRecipients } from '../workers/processors/confirmation-mail.js';
import { createRegistrationStore } from '../store/registration-store.js';
import { messagesPlan } from '../workers/processors/messages-plan.js';
import { createReconcileLoop } from '../workers/reconcile-loop.js';
import { attendancePollBbb } from '../workers/processors/attendance-poll-bbb.js';
import { attendanceZoomReconcile } from '../workers/processors/attendance-zoom-reconcile.js';
import { certificatesIssue } from '../workers/processors/certificates-issue.js';
import { createAttendanceParts } from './attendance.js';

/**
 * Our limiter's window opens when a job starts, Zoom's when the request arrives a few milliseconds later;
 * a slightly longer window keeps the two from overlapping into an eleventh call in Zoom's second (a 429
 * pauses the queue for a whole second, far more than the margin costs).
 */
const LIMITER_MARGIN_MS = 20;
const withMarginWindow = (limit: { max: number; windowMs: number }) => ({ max: limit.max, windowMs: limit.windowMs + LIMITER_MARGIN_MS });
const withMargin = (limiter: BullmqLimiter): BullmqLimiter => ({ max: limiter.max, duration: limiter.duration + LIMITER_MARGIN_MS });

const notConfigured = (what: string) => async () => {
  throw new UnrecoverableError(`${what} is not configured`);
};

export interface WorkerParts {
  runner: JobRunnerDeps;
  /** Closes the Zoom client's diagnostics subscription (the core is closed by its owner). */
  close(): void;
}

/** The worker process: one processor per job, each given only what it uses, and the queue limiters. */
export function createWorker(core: Core): WorkerParts {
  const { config, logger, clock, keys, redis, metrics, stores, queues } = core;
  const participants = createParticipantStore(redis, keys);
  const zoomClient = zoomClientFor(core);
  const zoom: { client: ZoomClient; userId: string } | undefined = zoomClient && config.zoom && { client: zoomClient, userId: config.zoom.userId };
  const transport = config.mail.smtp ? createSmtpTransport({ url: config.mail.smtp.url, from: config.mail.smtp.from, maxConnections: 4 }) : undefined;
  const signingKey = config.signingKeys[0];
  if (!signingKey) throw new Error('LINK_SIGNING_KEYS is empty');
  const common = { rooms: stores.rooms, clock };
  const { certificates } = createAttendanceParts(core, participants, createTranslations());
  const planMessages = messagesPlan({
    invite: (eventId, ids) => core.messages.invite(eventId, ids),
    events: stores.events,
    participants,
    messages: stores.messages,
    planned: stores.plannedSessions,
    queues,
    redis,
    clock,
    senderDomain: core.senderDomain,
    updateDelayMs: config.mail.updateDelaySeconds * 1000,
    onPlanned: (kind) => core.mailOutcomes.inc({ kind, status: 'queued' }),
  });
  const processors: Processors = {
    'bbb.create-room': core.bbb
      ? bbbCreateRoom({ ...common, events: stores.events, bbbRooms: core.bbb.rooms, onReady: (eventId, roomId) => core.attendanceSchedule.startPolling(eventId, roomId) })
      : notConfigured('BigBlueButton (BBB_URL)'),
    'attendance.poll-bbb': core.bbb
      ? attendancePollBbb({ events: stores.events, bbb: core.bbb.client, meetingIdFor: core.bbb.rooms.meetingIdFor, presence: stores.presence, schedule: core.attendanceSchedule, clock })
      : notConfigured('BigBlueButton (BBB_URL)'),
    'attendance.zoom-reconcile': zoom
      ? attendanceZoomReconcile({ events: stores.events, rooms: stores.rooms, zoom: zoom.client, zoomStore: stores.zoom, participants, presence: stores.presence, clock })
      : notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
    'certificates.issue': certificatesIssue({ events: stores.events, certificates, clock }),
    'zoom.sync-webinar': zoom
      ? zoomSyncWebinar({
          ...common,
          events: stores.events,
          zoom: zoom.client,
          zoomStore: stores.zoom,
          queues,
          userId: zoom.userId,
          // Webhooks name the webinar only; this link lets them find the event and room.
          onWebinarKnown: (webinarId, eventId, roomId) => stores.attendance.linkWebinar(webinarId, { eventId, roomId }),
          durability: core.durability,
        })
      : notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
    'zoom.sync-registrants': zoom
      ? zoomSyncRegistrants({ ...common, participants, zoom: zoom.client, zoomStore: stores.zoom, queues })
      : notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
    'zoom.register-batch':
      zoom && config.zoom
        ? zoomRegisterBatch({
            ...common,
            participants,
            zoom: zoom.client,
            zoomStore: stores.zoom,
            logger,
            // Paces HEAVY calls (batch registration) across processes at the plan's per-second rate.
            pacer: createCallPacer(redis, keys.key('zoom', 'pace', 'heavy'), withMarginWindow(zoomLabelLimit(config.zoom.plan, 'heavy'))),
            queues,
          })
        : notConfigured('Zoom (ZOOM_ACCOUNT_ID)'),
    'mail.send': mailSend({
      messages: stores.messages,
      events: stores.events,
      participants,
      transport,
      translations: createTranslations(),
      signingKey,
      publicBaseUrl: config.http.publicBaseUrl,
      clock,
      outcomes: core.mailOutcomes,
      logger,
      certificates: stores.certificates,
      confirmationRecipient: confirmationRecipients({ registrations: createRegistrationStore(redis, keys), signingKey, publicBaseUrl: config.http.publicBaseUrl, clock }),
    }),
    'messages.plan': planMessages,
  };
  const replanning = createReconcileLoop({ redis, keys, logger, intervalMs: config.reconcileIntervalMs, reconcileAll: () => replanEveryEvent(core, { participants, planMessages }) });
  const limiters: Partial<Record<QueueName, BullmqLimiter>> = {
    ...(config.zoom ? { zoom: withMargin(bullmqLimiterFor(config.zoom.plan, 'medium')), 'zoom-registrants': withMargin(bullmqLimiterFor(config.zoom.plan, 'heavy')) } : {}),
    // BullMQ's limiter lives in Redis: one budget for all workers together.
    mail: { max: config.mail.maxPerSecond, duration: 1000 },
  };

  return {
    runner: {
      logger,
      metrics,
      redis: config.redis,
      queuePrefix: `${keys.prefix}:bull`,
      processors,
      limiters,
      recover: () => replanning.runAtStart(),
      replanning,
    },
    close: () => {
      zoom?.client.close();
      void transport?.close();
    },
  };
}

interface ReplanDeps {
  participants: ParticipantStore;
  /** The messages.plan processor itself, run in this pass rather than enqueued. */
  planMessages: ReturnType<typeof messagesPlan>;
}

/**
 * Every event planned again from what Redis holds now: provisioning jobs the last programme change could not
 * enqueue (or a failover lost) are added, Zoom registration is looked at again, reminders and change notices
 * are planned, queued messages whose send job a failover lost get it back, and invitations still owed to new
 * participants are planned (all idempotent, deterministic ids). One event failing does not stop the others.
 *
 * Messages are planned here, not by enqueueing the version's planning job: that job's id is the version's, and
 * while BullMQ keeps it finished an enqueue is a no-op, so a participant whose own planning job was lost would
 * never get reminders. The full planner is idempotent (ids follow from the cause, an unchanged reminder is left
 * alone, changes already planned against the sessions last planned are not found again), so running it every
 * pass plans only what is missing.
 */
async function replanEveryEvent(core: Core, deps: ReplanDeps): Promise<void> {
  let failed = 0;
  for (const eventId of await core.stores.events.list()) {
    try {
      const stored = await core.stores.events.get(eventId);
      if (!stored) continue;
      await core.provisioning.reconcile(stored);
      await core.provisioning.participantsChanged(eventId);
      const planned = await deps.planMessages({ eventId, version: stored.version });
      if ('requeued' in planned && planned.requeued > 0) core.logger.info({ eventId, requeued: planned.requeued }, 'lost send jobs queued again');
      await core.attendanceSchedule.programmeChanged(stored);
      const owed = await settleOwedInvitations({ participants: deps.participants, messages: core.messages }, eventId);
      if (owed > 0) core.logger.info({ eventId, owed }, 'owed invitations re-planned');
    } catch (error) {
      failed += 1;
      core.logger.error({ eventId, err: { message: (error as Error).message } }, 're-planning an event failed');
    }
  }
  if (failed > 0) throw new Error(`${failed} events could not be re-planned`);
}
