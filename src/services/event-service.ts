import type { Clock } from '../clock.js';
import { toEventView, type EventView } from '../domain/event-view.js';
import type { Programme } from '../domain/programme.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';

export interface EventService {
  put(programme: Programme): Promise<{ created: boolean; event: EventView }>;
  get(eventId: string): Promise<EventView | undefined>;
  getStored(eventId: string): Promise<StoredEvent | undefined>;
}

export interface EventServiceDeps {
  store: EventStore;
  clock: Clock;
  /** Runs after every stored change, e.g. to re-plan provisioning; its failure does not undo the write. */
  onChanged?: (event: StoredEvent) => Promise<void>;
}

export function createEventService({ store, clock, onChanged }: EventServiceDeps): EventService {
  return {
    async put(programme) {
      const stored = await store.put(programme, clock.now());
      if (onChanged) await onChanged(stored);
      return { created: stored.version === 1, event: toEventView(stored.programme, stored.version, stored.updatedAt) };
    },
    async get(eventId) {
      const stored = await store.get(eventId);
      return stored && toEventView(stored.programme, stored.version, stored.updatedAt);
    },
    getStored: (eventId) => store.get(eventId),
  };
}
