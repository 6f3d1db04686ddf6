import { randomUUID } from 'node:crypto';
import { signZoomWebhook } from '../../src/providers/zoom/webhook-signature.js';
import type { SimContext } from './simulator-context.js';
import { escapeHtml, isoSeconds } from './simulator-http.js';
import type { SimJoin, SimReply, SimWebinar, ZoomSimulatorOptions } from './simulator-types.js';

/** Stand-in for the Zoom client landing page behind a personal join_url: says who joined what, in which languages. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body><main>
${body}
</main></body>
</html>
`;
}

function interpretationLanguages(w: SimWebinar): string[] {
  const li = w.settings.language_interpretation;
  if (!li.enable) return [];
  const names = new Set<string>();
  for (const i of li.interpreters) for (const n of (i.interpreter_languages ?? '').split(',')) if (n.trim()) names.add(n.trim());
  return [...names];
}

export interface JoinOutcome {
  reply: SimReply;
  join?: { webinar: SimWebinar; join: SimJoin };
}

export function joinPage(ctx: SimContext, rawId: string, token: string | null): JoinOutcome {
  const w = /^\d+$/.test(rawId) ? ctx.state.webinars.get(Number(rawId)) : undefined;
  if (!w) return { reply: { status: 404, html: page('Webinar not found', '<h1>This webinar does not exist.</h1>') } };
  const registrant = token ? (ctx.state.registrants.get(w.id) ?? []).find((r) => r.token === token) : undefined;
  const panelist = token ? (ctx.state.panelists.get(w.id) ?? []).find((p) => p.token === token) : undefined;
  if (!registrant && !panelist) return { reply: { status: 404, html: page('Invalid link', '<h1>This join link is not valid.</h1>') } };
  if (registrant && registrant.status !== 'approved') {
    const why = registrant.status === 'pending' ? 'Your registration is waiting for the host’s approval.' : 'Your registration is no longer valid.';
    return { reply: { status: 403, html: page('Cannot join', `<h1>${escapeHtml(why)}</h1>`) } };
  }
  const name = registrant ? [registrant.firstName, registrant.lastName].filter(Boolean).join(' ') : (panelist?.name ?? '');
  const email = registrant?.email ?? panelist?.email ?? '';
  const role = registrant ? 'attendee' : 'panelist';
  const join: SimJoin = {
    webinarId: w.id,
    email,
    name,
    role,
    ...(registrant ? { registrantId: registrant.id } : {}),
    at: ctx.now(),
  };
  ctx.state.joins.push(join);
  const languages = interpretationLanguages(w);
  const languageList =
    languages.length === 0
      ? '<p>No language interpretation in this webinar.</p>'
      : `<h2>Interpretation languages</h2><ul>${languages.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
  const html = page(
    `Joined: ${w.topic}`,
    `<h1>${escapeHtml(name)} joined “${escapeHtml(w.topic)}”</h1>
<p>Signed in as <strong>${escapeHtml(email)}</strong> (${role}) to webinar <strong>${w.id}</strong>.</p>
${languageList}`,
  );
  return { reply: { status: 200, html }, join: { webinar: w, join } };
}

/** Envelope per the webinar.participant_joined event in Zoom's webhooks spec; object.id is a string there. */
export async function sendParticipantJoined(
  ctx: SimContext,
  webhook: NonNullable<ZoomSimulatorOptions['webhook']>,
  w: SimWebinar,
  join: SimJoin,
): Promise<number> {
  const event = {
    event: 'webinar.participant_joined',
    event_ts: ctx.now(),
    payload: {
      account_id: ctx.accountId,
      object: {
        id: String(w.id),
        uuid: w.uuid,
        host_id: w.hostId,
        topic: w.topic,
        type: w.type,
        start_time: w.startTime ?? isoSeconds(ctx.now()),
        timezone: w.timezone ?? 'UTC',
        duration: w.duration ?? 60,
        participant: {
          user_id: String(16_778_240 + ctx.state.joins.length),
          user_name: join.name,
          email: join.email,
          registrant_id: join.registrantId ?? '',
          participant_uuid: randomUUID(),
          join_time: isoSeconds(join.at),
        },
      },
    },
  };
  const rawBody = JSON.stringify(event);
  const timestamp = String(Math.floor(ctx.now() / 1000));
  const response = await fetch(webhook.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': timestamp,
      'x-zm-signature': signZoomWebhook({ rawBody, timestamp, secretToken: webhook.secretToken }),
    },
    body: rawBody,
    signal: AbortSignal.timeout(3000),
  });
  await response.arrayBuffer();
  return response.status;
}
