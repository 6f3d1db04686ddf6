import { z } from 'zod';
import { participantRoleSchema } from '../domain/participant.js';
import { participantStatusSchema, type ParticipantStatus } from '../domain/registration.js';

export const listedParticipantSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: participantRoleSchema,
  status: participantStatusSchema,
});
export type ListedParticipant = z.infer<typeof listedParticipantSchema>;

export interface ParticipantListQuery {
  status?: ParticipantStatus;
  cursor?: string;
  limit: number;
}

export type ParticipantListing =
  | { kind: 'page'; participants: ListedParticipant[]; next?: string }
  | { kind: 'unknown-event' }
  | { kind: 'bad-cursor' };

const encodeCursor = (id: string) => Buffer.from(`after:${id}`).toString('base64url');

function decodeCursor(cursor: string): string | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^after:p-[a-z0-9]{12}$/.test(text) && encodeCursor(text.slice(6)) === cursor ? text.slice(6) : undefined;
}

/**
 * One page in id order, registered and waitlisted together. The cursor names the last id handed out (not an
 * offset), so a page boundary does not shift when someone before it is removed or promoted meanwhile.
 */
export function pageOfParticipants(all: readonly ListedParticipant[], query: ParticipantListQuery): ParticipantListing {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && after === undefined) return { kind: 'bad-cursor' };
  const chosen = all
    .filter((p) => query.status === undefined || p.status === query.status)
    .filter((p) => after === undefined || p.id > after)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = chosen.slice(0, query.limit);
  const last = page[page.length - 1];
  return { kind: 'page', participants: page, ...(chosen.length > page.length && last ? { next: encodeCursor(last.id) } : {}) };
}
