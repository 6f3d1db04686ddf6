import type { FastifyInstance } from 'fastify';
import { signZoomWebhook } from '../../src/providers/zoom/webhook-signature.js';

export interface ParticipantNotification {
  webinarId: string | number;
  kind: 'joined' | 'left';
  registrantId: string;
  name: string;
  email: string;
  /** ISO instant of the join or leave, also the notification's event_ts. */
  at: string;
}

/** A `webinar.participant_joined|left` notification as Zoom signs and posts it, injected into `app`. */
export function postParticipantNotification(app: FastifyInstance, secretToken: string, n: ParticipantNotification) {
  const raw = JSON.stringify({
    event: `webinar.participant_${n.kind}`,
    event_ts: Date.parse(n.at),
    payload: {
      account_id: 'AAAAAABBBB',
      object: {
        id: String(n.webinarId),
        participant: { registrant_id: n.registrantId, user_name: n.name, email: n.email, ...(n.kind === 'joined' ? { join_time: n.at } : { leave_time: n.at }) },
      },
    },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  return app.inject({
    method: 'POST',
    url: '/webhooks/zoom',
    headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signZoomWebhook({ rawBody: raw, timestamp, secretToken }) },
    payload: raw,
  });
}
