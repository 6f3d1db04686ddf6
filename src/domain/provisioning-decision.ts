import type { RoomPlan } from './schedule.js';

/**
 * What provisioning should do with one room, decided in one place from the programme's room, what is recorded
 * about it and the time: the plan (GET …/plan) shows it, reconcile enqueues it, the processors carry it out.
 * Pure: the recorded state comes in as data, nothing is read or written here.
 */
export interface RecordedRoom {
  status: 'pending' | 'scheduled' | 'provisioning' | 'ready' | 'failed';
  error?: string | undefined;
  webinarId?: string | undefined;
  appliedHash?: string | undefined;
  pendingCreate?: { topic: string; startTime: string } | undefined;
}

export type BbbRoomDecision =
  | { kind: 'unavailable'; reason: string }
  /** The room's last session is over: nothing to create any more. */
  | { kind: 'finished' }
  /**
   * Create the room (BigBlueButton's create confirms a running meeting) at `runAt`. `settled`: it is ready and
   * its warm-up moment has passed, so nothing is left to do.
   */
  | { kind: 'warm-up'; runAt: number; settled: boolean; reason: string };

export type ZoomWebinarDecision =
  | { kind: 'unavailable'; reason: string }
  /** No webinar yet; `adopt` names a create whose answer was lost, to look for before creating again. */
  | { kind: 'create'; adopt: { topic: string; startTime: string } | undefined; reason: string }
  | { kind: 'update'; webinarId: string; reason: string }
  /** Written as wanted, but the last run failed after writing (e.g. interpretation did not stick): run again. */
  | { kind: 'retry'; webinarId: string; reason: string }
  | { kind: 'unchanged'; webinarId: string };

export type RemovedRoomDecision =
  | { kind: 'delete-webinar'; webinarId: string }
  /** A warm-up is still planned for a room that is gone. */
  | { kind: 'unschedule' }
  | { kind: 'forget' };

export const BBB_NOT_CONFIGURED = 'BigBlueButton is not configured (BBB_URL)';
export const ZOOM_NOT_CONFIGURED = 'Zoom is not configured (ZOOM_ACCOUNT_ID)';

export function decideBbbRoom(room: RoomPlan, state: RecordedRoom | undefined, ctx: { now: number; leadMinutes: number; configured: boolean }): BbbRoomDecision {
  if (!ctx.configured) return { kind: 'unavailable', reason: BBB_NOT_CONFIGURED };
  if (Date.parse(room.endsAt) <= ctx.now) return { kind: 'finished' };
  const runAt = Date.parse(room.startsAt) - ctx.leadMinutes * 60_000;
  const ready = state?.status === 'ready';
  const reason =
    state?.status === 'failed'
      ? `previous attempt failed: ${state.error ?? 'unknown'}`
      : ready
        ? 'confirm the room is running before the first session'
        : 'warm-up before the first session';
  return { kind: 'warm-up', runAt, settled: ready && runAt <= ctx.now, reason };
}

/** `desiredHash` is the hash of the webinar settings the programme asks for now. */
export function decideZoomWebinar(state: RecordedRoom | undefined, desiredHash: string, ctx: { configured: boolean }): ZoomWebinarDecision {
  if (!ctx.configured) return { kind: 'unavailable', reason: ZOOM_NOT_CONFIGURED };
  const webinarId = state?.webinarId;
  if (!webinarId) return { kind: 'create', adopt: state?.pendingCreate, reason: 'no webinar exists for this conference day' };
  if (state.appliedHash !== desiredHash) return { kind: 'update', webinarId, reason: 'the programme changed since the webinar was last written' };
  if (state.status === 'failed') return { kind: 'retry', webinarId, reason: `previous attempt failed: ${state.error ?? 'unknown'}` };
  return { kind: 'unchanged', webinarId };
}

export function decideRemovedRoom(provider: 'bbb' | 'zoom', state: RecordedRoom, ctx: { zoomConfigured: boolean }): RemovedRoomDecision {
  if (provider === 'zoom' && ctx.zoomConfigured && state.webinarId) return { kind: 'delete-webinar', webinarId: state.webinarId };
  if (provider === 'bbb' && state.status === 'scheduled') return { kind: 'unschedule' };
  return { kind: 'forget' };
}

/** Whether the decision asks a provider to do anything (what the plan lists and reconcile enqueues). */
export function needsWork(decision: BbbRoomDecision | ZoomWebinarDecision): boolean {
  switch (decision.kind) {
    case 'warm-up':
      return !decision.settled;
    case 'create':
    case 'update':
    case 'retry':
      return true;
    default:
      return false;
  }
}
