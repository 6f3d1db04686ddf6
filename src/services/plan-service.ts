import type { Clock } from '../clock.js';
import type { Participant } from '../domain/participant.js';
import { normaliseEmail } from '../domain/participant.js';
import { scheduleProgramme, type RoomPlan } from '../domain/schedule.js';
import type { StoredEvent } from '../store/event-store.js';
import type { ParticipantStore } from '../store/participant-store.js';
import type { RoomState, RoomStateStore } from '../store/room-state-store.js';
import type { HeldRegistrant, Registration, ZoomStore } from '../store/zoom-store.js';
import { webinarSpec, webinarSpecHash } from './zoom/webinar-spec.js';

export type PlannedOperation =
  | { action: 'create'; target: 'bbb-room' | 'zoom-webinar'; roomId: string; when: string; reason: string }
  | { action: 'update'; target: 'zoom-webinar'; roomId: string; webinarId: string; when: 'now'; reason: string }
  | { action: 'delete'; target: 'zoom-webinar'; roomId: string; webinarId: string; when: 'now'; reason: string }
  | { action: 'unschedule'; target: 'bbb-room'; roomId: string; when: 'now'; reason: string }
  | { action: 'add' | 'cancel'; target: 'zoom-registrants' | 'zoom-panelists'; roomId: string; when: string; count: number; participantIds: string[]; reason: string };

export interface ProvisioningPlan {
  eventId: string;
  version: number;
  generatedAt: string;
  operations: PlannedOperation[];
  unchanged: string[];
}

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
    if (stale.provider === 'zoom' && stale.webinarId) {
      operations.push({ action: 'delete', target: 'zoom-webinar', roomId: stale.id, webinarId: stale.webinarId, when: 'now', reason: 'the conference day is no longer in the programme' });
    } else if (stale.provider === 'bbb' && stale.status === 'scheduled') {
      operations.push({ action: 'unschedule', target: 'bbb-room', roomId: stale.id, when: 'now', reason: 'the room is no longer in the programme' });
    }
  }
  return { eventId, version: event.version, generatedAt: now.toISOString(), operations, unchanged };

  function planBbb(room: RoomPlan, state: RoomState | undefined): void {
    if (!input.providers.bbb) return;
    if (Date.parse(room.endsAt) <= now.getTime()) return void unchanged.push(room.id);
    if (state?.status === 'ready') return void unchanged.push(room.id);
    const due = Date.parse(room.startsAt) - input.bbbLeadMinutes * 60_000;
    operations.push({
      action: 'create',
      target: 'bbb-room',
      roomId: room.id,
      when: due <= now.getTime() ? 'now' : new Date(due).toISOString(),
      reason: state?.status === 'failed' ? `previous attempt failed: ${state.error ?? 'unknown'}` : 'warm-up before the first session',
    });
  }

  function planZoom(room: RoomPlan, state: RoomState | undefined): void {
    if (!input.providers.zoom) return;
    const webinarId = state?.webinarId;
    if (!webinarId) {
      operations.push({ action: 'create', target: 'zoom-webinar', roomId: room.id, when: 'now', reason: 'no webinar exists for this conference day' });
    } else if (state?.appliedHash !== webinarSpecHash(webinarSpec(event.programme, room, schedule.sessions))) {
      operations.push({ action: 'update', target: 'zoom-webinar', roomId: room.id, webinarId, when: 'now', reason: 'the programme changed since the webinar was last written' });
    } else {
      unchanged.push(room.id);
    }
    const when = webinarId ? 'now' : 'after the webinar is created';
    const registered = input.registrations.get(room.id) ?? new Map<string, Registration>();
    const attendees = input.participants.filter((p) => p.role !== 'panelist');
    const holds = input.heldBack?.get(room.id) ?? new Map<string, HeldRegistrant>();
    const heldUntil = (id: string) => {
      const retryAt = holds.get(id)?.retryAt;
      return retryAt !== undefined && Date.parse(retryAt) > now.getTime() ? retryAt : undefined;
    };
    const unregistered = attendees.filter((p) => !registered.has(p.id)).map((p) => p.id);
    const add = unregistered.filter((id) => heldUntil(id) === undefined);
    const held = new Map<string, string[]>();
    for (const id of unregistered) {
      const retryAt = heldUntil(id);
      if (retryAt !== undefined) held.set(retryAt, [...(held.get(retryAt) ?? []), id]);
    }
    const active = new Set(attendees.map((p) => p.id));
    const cancel = [...registered.keys()].filter((id) => !active.has(id));
    const panelistsKnown = input.panelistEmails.get(room.id) ?? new Set<string>();
    const panelists = input.participants.filter((p) => p.role === 'panelist' && !panelistsKnown.has(normaliseEmail(p.email))).map((p) => p.id);
    const push = (action: 'add' | 'cancel', target: 'zoom-registrants' | 'zoom-panelists', ids: string[], reason: string) => {
      if (ids.length > 0) operations.push({ action, target, roomId: room.id, when, count: ids.length, participantIds: ids.slice(0, SAMPLE), reason });
    };
    push('add', 'zoom-registrants', add, 'participants without a Zoom registration');
    for (const [retryAt, ids] of [...held].sort(([a], [b]) => a.localeCompare(b))) {
      const reason = "held back: Zoom refused them for today (its daily limit of adds per registrant); sent again after Zoom's reset";
      operations.push({ action: 'add', target: 'zoom-registrants', roomId: room.id, when: retryAt, count: ids.length, participantIds: ids.slice(0, SAMPLE), reason });
    }
    push('cancel', 'zoom-registrants', cancel, 'registrations of removed participants');
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
