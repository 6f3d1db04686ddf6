import { Gauge, type Registry } from 'prom-client';
import { scheduleProgramme } from '../../domain/schedule.js';
import { QUEUE_NAMES } from '../../queue/job-registry.js';
import type { Queues } from '../../queue/queues.js';
import type { EventStore } from '../../store/event-store.js';
import type { RoomStateStore } from '../../store/room-state-store.js';
import type { Clock } from '../../clock.js';

/**
 * Gauges read from Redis when Prometheus scrapes, so every API process reports the same shared truth
 * (queue depth, room states, how far ahead of its first session each room became ready).
 */
export function registerStateMetrics(registry: Registry, deps: { queues: Queues; events: EventStore; rooms: RoomStateStore; clock: Clock }): void {
  const registers = [registry];
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const name of QUEUE_NAMES) {
        const counts = await deps.queues.get(name).getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: name, state }, count);
      }
    },
  });
  new Gauge({
    name: 'provisioning_rooms',
    help: 'Rooms per provider and provisioning status',
    labelNames: ['provider', 'status'] as const,
    registers,
    async collect() {
      this.reset();
      for (const eventId of await deps.events.list()) {
        for (const room of await deps.rooms.list(eventId)) this.inc({ provider: room.provider, status: room.status });
      }
    },
  });
  new Gauge({
    name: 'room_ready_lead_seconds',
    help: 'Seconds between a room becoming ready and its first session (negative: still not ready after the start)',
    labelNames: ['event', 'room', 'provider'] as const,
    registers,
    async collect() {
      this.reset();
      const now = deps.clock.now().getTime();
      for (const eventId of await deps.events.list()) {
        const stored = await deps.events.get(eventId);
        if (!stored) continue;
        const states = new Map((await deps.rooms.list(eventId)).map((s) => [s.id, s]));
        for (const room of scheduleProgramme(stored.programme).rooms) {
          const state = states.get(room.id);
          const start = Date.parse(room.startsAt);
          if (state?.status === 'ready' && state.readyAt) this.set({ event: eventId, room: room.id, provider: room.provider }, (start - Date.parse(state.readyAt)) / 1000);
          else if (start <= now && Date.parse(room.endsAt) > now) this.set({ event: eventId, room: room.id, provider: room.provider }, (start - now) / 1000);
        }
      }
    },
  });
}
