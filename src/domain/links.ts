export interface ParticipantLinks {
  page: string;
  calendar: string;
  join: Record<string, string>;
}

/** Every link is ours: it carries the personal token and never a provider URL or checksum. */
export function participantLinks(publicBaseUrl: string, token: string, sessionIds: readonly string[]): ParticipantLinks {
  const page = `${publicBaseUrl}/p/${token}`;
  return {
    page,
    calendar: `${page}/calendar.ics`,
    join: Object.fromEntries(sessionIds.map((id) => [id, `${page}/join/${id}`])),
  };
}
