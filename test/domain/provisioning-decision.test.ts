import { describe, expect, it } from 'vitest';
import { decideBbbRoom, decideRemovedRoom, decideZoomWebinar, needsWork } from '../../src/domain/provisioning-decision.js';
import { panelistsToAdd, registrantChanges } from '../../src/domain/registrant-changes.js';
import type { RoomPlan } from '../../src/domain/schedule.js';

const room: RoomPlan = {
  id: 'bbb-2030-06-03',
  provider: 'bbb',
  date: '2030-06-03',
  title: 'Day',
  sessionIds: ['s1'],
  startsAt: '2030-06-03T07:00:00.000Z',
  endsAt: '2030-06-03T08:00:00.000Z',
  record: false,
  maxParticipants: undefined,
  interpretation: undefined,
};
const runAt = Date.parse('2030-06-03T06:50:00.000Z');
const ctx = (now: string, configured = true) => ({ now: Date.parse(now), leadMinutes: 10, configured });

describe('decideBbbRoom', () => {
  it('plans the warm-up at the first session minus the lead, and names a previous failure', () => {
    expect(decideBbbRoom(room, undefined, ctx('2030-06-01T00:00:00Z'))).toEqual({ kind: 'warm-up', runAt, settled: false, reason: 'warm-up before the first session' });
    expect(decideBbbRoom(room, { status: 'failed', error: 'boom' }, ctx('2030-06-03T06:55:00Z'))).toMatchObject({ settled: false, reason: 'previous attempt failed: boom' });
  });

  it('still confirms a room made ready early, and is settled once its warm-up moment has passed', () => {
    expect(decideBbbRoom(room, { status: 'ready' }, ctx('2030-06-01T00:00:00Z'))).toMatchObject({ kind: 'warm-up', settled: false });
    expect(needsWork(decideBbbRoom(room, { status: 'ready' }, ctx('2030-06-03T06:50:00Z')))).toBe(false);
  });

  it('is finished once the room ends and unavailable without BigBlueButton', () => {
    expect(decideBbbRoom(room, { status: 'scheduled' }, ctx('2030-06-03T08:00:00Z'))).toEqual({ kind: 'finished' });
    expect(decideBbbRoom(room, undefined, ctx('2030-06-01T00:00:00Z', false))).toMatchObject({ kind: 'unavailable' });
  });
});

describe('decideZoomWebinar', () => {
  it('creates (adopting a lost create first), updates on a changed hash, retries a failure, else leaves it', () => {
    expect(decideZoomWebinar(undefined, 'h1', { configured: true })).toMatchObject({ kind: 'create', adopt: undefined });
    const pendingCreate = { topic: 'T', startTime: '2030-06-03T07:00:00Z' };
    expect(decideZoomWebinar({ status: 'provisioning', pendingCreate }, 'h1', { configured: true })).toMatchObject({ kind: 'create', adopt: pendingCreate });
    expect(decideZoomWebinar({ status: 'ready', webinarId: '9', appliedHash: 'h0' }, 'h1', { configured: true })).toMatchObject({ kind: 'update', webinarId: '9' });
    expect(decideZoomWebinar({ status: 'failed', webinarId: '9', appliedHash: 'h1', error: 'x' }, 'h1', { configured: true })).toMatchObject({ kind: 'retry' });
    expect(decideZoomWebinar({ status: 'ready', webinarId: '9', appliedHash: 'h1' }, 'h1', { configured: true })).toEqual({ kind: 'unchanged', webinarId: '9' });
    expect(decideZoomWebinar(undefined, 'h1', { configured: false })).toMatchObject({ kind: 'unavailable' });
  });
});

describe('decideRemovedRoom', () => {
  it('deletes a webinar that exists, unschedules a planned warm-up, forgets the rest', () => {
    expect(decideRemovedRoom('zoom', { status: 'ready', webinarId: '9' }, { zoomConfigured: true })).toEqual({ kind: 'delete-webinar', webinarId: '9' });
    expect(decideRemovedRoom('zoom', { status: 'ready', webinarId: '9' }, { zoomConfigured: false })).toEqual({ kind: 'forget' });
    expect(decideRemovedRoom('bbb', { status: 'scheduled' }, { zoomConfigured: true })).toEqual({ kind: 'unschedule' });
    expect(decideRemovedRoom('bbb', { status: 'ready' }, { zoomConfigured: true })).toEqual({ kind: 'forget' });
  });
});

describe('registrantChanges', () => {
  const people = [
    { id: 'a', role: 'participant' as const, email: 'a@x.example' },
    { id: 'b', role: 'moderator' as const, email: 'b@x.example' },
    { id: 'p', role: 'panelist' as const, email: 'P@X.example' },
  ];
  it('adds the unregistered, holds the refused until their retry time, cancels the gone, never registers panelists', () => {
    const now = Date.parse('2030-06-03T12:00:00Z');
    const changes = registrantChanges({ participants: people, registered: ['a', 'gone'], heldUntil: new Map([['b', '2030-06-04T00:00:10Z']]), now });
    expect(changes).toEqual({ add: [], held: [{ retryAt: '2030-06-04T00:00:10Z', ids: ['b'] }], cancel: ['gone'] });
    expect(registrantChanges({ participants: people, registered: [], heldUntil: new Map([['b', '2030-06-03T11:00:00Z']]), now }).add).toEqual(['a', 'b']);
    expect(panelistsToAdd(people, new Set(['p@x.example']))).toEqual([]);
    expect(panelistsToAdd(people, new Set()).map((p) => p.id)).toEqual(['p']);
  });
});
