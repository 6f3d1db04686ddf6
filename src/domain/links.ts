import { z } from 'zod';

export const participantLinksSchema = z.object({ page: z.url(), calendar: z.url(), join: z.record(z.string(), z.url()) });
export type ParticipantLinks = z.infer<typeof participantLinksSchema>;

/** Every link is ours: it carries the personal token and never a provider URL or checksum. */
export function participantLinks(publicBaseUrl: string, token: string, sessionIds: readonly string[]): ParticipantLinks {
  const page = `${publicBaseUrl}/p/${token}`;
  return {
    page,
    calendar: `${page}/calendar.ics`,
    join: Object.fromEntries(sessionIds.map((id) => [id, `${page}/join/${id}`])),
  };
}
