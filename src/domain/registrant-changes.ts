import { normaliseEmail, type Participant } from './participant.js';

type Person = Pick<Participant, 'id' | 'role' | 'email'>;

export interface RegistrantChanges {
  /** Attendees without a Zoom registration, to be added now. */
  add: string[];
  /** Attendees Zoom refused for today, by the moment they are sent again (earliest first). */
  held: Array<{ retryAt: string; ids: string[] }>;
  /** Registrations whose participant is gone. */
  cancel: string[];
}

/**
 * Who a webinar's registration must add or cancel, the one rule behind the plan and the registrant sync.
 * Panelists are not registrants (Zoom gives them their own link).
 */
export function registrantChanges(input: {
  participants: readonly Person[];
  registered: Iterable<string>;
  /** Per participant id, when Zoom's per-registrant daily limit lets them be sent again. */
  heldUntil?: ReadonlyMap<string, string>;
  now: number;
}): RegistrantChanges {
  const registered = new Set(input.registered);
  const attendees = input.participants.filter((p) => p.role !== 'panelist');
  const holdOf = (id: string) => {
    const retryAt = input.heldUntil?.get(id);
    return retryAt !== undefined && Date.parse(retryAt) > input.now ? retryAt : undefined;
  };
  const add: string[] = [];
  const held = new Map<string, string[]>();
  for (const { id } of attendees) {
    if (registered.has(id)) continue;
    const retryAt = holdOf(id);
    if (retryAt === undefined) add.push(id);
    else held.set(retryAt, [...(held.get(retryAt) ?? []), id]);
  }
  const active = new Set(attendees.map((p) => p.id));
  return {
    add,
    held: [...held].sort(([a], [b]) => a.localeCompare(b)).map(([retryAt, ids]) => ({ retryAt, ids })),
    cancel: [...registered].filter((id) => !active.has(id)),
  };
}

/** Panelists not yet on the webinar, matched by normalised address as Zoom lists them. */
export function panelistsToAdd<P extends Person>(participants: readonly P[], knownEmails: ReadonlySet<string>): P[] {
  return participants.filter((p) => p.role === 'panelist' && !knownEmails.has(normaliseEmail(p.email)));
}
