import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Participant } from '../domain/participant.js';
import { decideBbbRoom, decideRemovedRoom, decideZoomWebinar, needsWork } from '../domain/provisioning-decision.js';
import { panelistsToAdd, registrantChanges } from '../domain/registrant-changes.js';
import { scheduleProgramme, type RoomPlan } from '../domain/schedule.js';
import type { StoredEvent } from '../store/event-store.js';
import type { ParticipantStore } from '../store/participant-store.js';
import type { RoomState, RoomStateStore } from '../store/room-state-store.js';
import type { HeldRegistrant, Registration, ZoomStore } from '../store/zoom-store.js';
import { webinarSpec, webinarSpecHash } from './zoom/webinar-spec.js';

export const plannedOperationSchema = z.object({
  action: z.enum(['create', 'update', 'delete', 'unschedule', 'add', 'cancel']),
  target: z.enum(['bbb-room', 'zoom-webinar', 'zoom-registrants', 'zoom-panelists']),
  roomId: z.string(),
  when: z.string().describe("'now', an ISO instant, or a condition"),
  reason: z.string(),
  webinarId: z.string().optional(),
  count: z.number().int().optional(),
  participantIds: z.array(z.string()).optional().describe('up to 100 of the participants concerned'),
});
export type PlannedOperation = z.infer<typeof plannedOperationSchema>;

export const provisioningPlanSchema = z.object({
  eventId: z.string(),
  version: z.number().int(),
  generatedAt: z.string(),
  operations: z.array(plannedOperationSchema),
  unchanged: z.array(z.string()).describe('rooms that need nothing'),
});
export type ProvisioningPlan = z.infer<typeof provisioningPlanSchema>;

export interface PlanInput {
  event: StoredEvent;
  now: Date;
  states: readonly RoomState[];
  participants: readonly Participant[];
  registrations: ReadonlyMap<string, ReadonlyMap<string, Registration>>;
  panelistEmails: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per room, the registrants Zoom refused for today (its per-registrant daily limit). */
  heldBack?: ReadonlyMap<string, ReadonlyMap<string, HeldRegistrant>>;
  bbbLeadMinutes: number;
  providers: { bbb: boolean; zoom: boolean };
}

const SAMPLE = 100;

/** What provisioning would do for the current programme, from what is recorded as provisioned. Pure. */
export function computePlan(input: PlanInput): ProvisioningPlan {
  const { event, now } = input;
  const eventId = event.programme.id;
  const schedule = scheduleProgramme(event.programme);
  const states = new Map(input.states.map((s) => [s.id, s]));
  const operations: PlannedOperation[] = [];
  const unchanged: string[] = [];

  for (const room of schedule.rooms) {
    const state = states.get(room.id);
    states.delete(room.id);
    if (room.provider === 'bbb') planBbb(room, state);
    else planZoom(room, state);
  }
  for (const stale of states.values()) {
    const decision = decideRemovedRoom(stale.provider, stale, { zoomConfigured: input.providers.zoom });
    if (decision.kind === 'delete-webinar') {
      operations.push({ action: 'delete', target: 'zoom-webinar', roomId: stale.id, webinarId: decision.webinarId, when: 'now', reason: 'the conference day is no longer in the programme' });
    } else if (decision.kind === 'unschedule') {
      operations.push({ action: 'unschedule', target: 'bbb-room', roomId: stale.id, when: 'now', reason: 'the room is no longer in the programme' });
    }
  }
  return { eventId, version: event.version, generatedAt: now.toISOString(), operations, unchanged };

  function planBbb(room: RoomPlan, state: RoomState | undefined): void {
    const decision = decideBbbRoom(room, state, { now: now.getTime(), leadMinutes: input.bbbLeadMinutes, configured: input.providers.bbb });
    if (decision.kind === 'unavailable') return;
    if (!needsWork(decision) || decision.kind !== 'warm-up') return void unchanged.push(room.id);
    const when = decision.runAt <= now.getTime() ? 'now' : new Date(decision.runAt).toISOString();
    operations.push({ action: 'create', target: 'bbb-room', roomId: room.id, when, reason: decision.reason });
  }

  function planZoom(room: RoomPlan, state: RoomState | undefined): void {
    const decision = decideZoomWebinar(state, webinarSpecHash(webinarSpec(event.programme, room, schedule.sessions)), { configured: input.providers.zoom });
    if (decision.kind === 'unavailable') return;
    if (decision.kind === 'create') {
      operations.push({ action: 'create', target: 'zoom-webinar', roomId: room.id, when: 'now', reason: decision.reason });
    } else if (decision.kind === 'update' || decision.kind === 'retry') {
      operations.push({ action: 'update', target: 'zoom-webinar', roomId: room.id, webinarId: decision.webinarId, when: 'now', reason: decision.reason });
    } else {
      unchanged.push(room.id);
    }
    const when = state?.webinarId ? 'now' : 'after the webinar is created';
    const holds = input.heldBack?.get(room.id) ?? new Map<string, HeldRegistrant>();
    const changes = registrantChanges({
      participants: input.participants,
      registered: (input.registrations.get(room.id) ?? new Map<string, Registration>()).keys(),
      heldUntil: new Map([...holds].map(([id, h]) => [id, h.retryAt])),
      now: now.getTime(),
    });
    const panelists = panelistsToAdd(input.participants, input.panelistEmails.get(room.id) ?? new Set<string>()).map((p) => p.id);
    const push = (action: 'add' | 'cancel', target: 'zoom-registrants' | 'zoom-panelists', ids: string[], reason: string, at = when) => {
      if (ids.length > 0) operations.push({ action, target, roomId: room.id, when: at, count: ids.length, participantIds: ids.slice(0, SAMPLE), reason });
    };
    push('add', 'zoom-registrants', changes.add, 'participants without a Zoom registration');
    for (const { retryAt, ids } of changes.held) {
      push('add', 'zoom-registrants', ids, "held back: Zoom refused them for today (its daily limit of adds per registrant); sent again after Zoom's reset", retryAt);
    }
    push('cancel', 'zoom-registrants', changes.cancel, 'registrations of removed participants');
    push('add', 'zoom-panelists', panelists, 'panelists not yet on the webinar');
  }
}

export interface PlanService {
  plan(event: StoredEvent): Promise<ProvisioningPlan>;
}

export function createPlanService(deps: {
  rooms: RoomStateStore;
  participants: Pick<ParticipantStore, 'list'>;
  zoomStore: Pick<ZoomStore, 'allRegistrations' | 'panelistEmails' | 'heldBack'>;
  clock: Clock;
  bbbLeadMinutes: number;
  providers: { bbb: boolean; zoom: boolean };
}): PlanService {
  return {
    async plan(event) {
      const eventId = event.programme.id;
      const [states, participants] = await Promise.all([deps.rooms.list(eventId), deps.participants.list(eventId)]);
      const zoomRooms = scheduleProgramme(event.programme).rooms.filter((r) => r.provider === 'zoom');
      const registrations = new Map<string, ReadonlyMap<string, Registration>>();
      const panelistEmails = new Map<string, ReadonlySet<string>>();
      const heldBack = new Map<string, ReadonlyMap<string, HeldRegistrant>>();
      for (const room of zoomRooms) {
        registrations.set(room.id, await deps.zoomStore.allRegistrations(eventId, room.id));
        panelistEmails.set(room.id, await deps.zoomStore.panelistEmails(eventId, room.id));
        heldBack.set(room.id, await deps.zoomStore.heldBack(eventId, room.id));
      }
      return computePlan({ event, now: deps.clock.now(), states, participants, registrations, panelistEmails, heldBack, bbbLeadMinutes: deps.bbbLeadMinutes, providers: deps.providers });
    },
  };
}
