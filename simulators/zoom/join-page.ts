import type { SimContext } from './simulator-context.js';
import { escapeHtml } from './simulator-http.js';
import type { SimJoin, SimParticipation, SimReply, SimWebinar } from './simulator-types.js';
import { recordJoin, recordLeave } from './webinar-lifecycle.js';

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
  join?: { webinar: SimWebinar; join: SimJoin; stay: SimParticipation; started: boolean };
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
  const { stay, started } = recordJoin(ctx, w, { token: token ?? '', name, email, ...(registrant ? { registrantId: registrant.id } : {}) });
  const languages = interpretationLanguages(w);
  const languageList =
    languages.length === 0
      ? '<p>No language interpretation in this webinar.</p>'
      : `<h2>Interpretation languages</h2><ul>${languages.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
  const html = page(
    `Joined: ${w.topic}`,
    `<h1>${escapeHtml(name)} joined “${escapeHtml(w.topic)}”</h1>
<p>Signed in as <strong>${escapeHtml(email)}</strong> (${role}) to webinar <strong>${w.id}</strong>.</p>
${languageList}
<form method="post" action="/w/${w.id}/leave?tk=${encodeURIComponent(token ?? '')}"><button type="submit">Leave the webinar</button></form>`,
  );
  return { reply: { status: 200, html }, join: { webinar: w, join, stay, started } };
}

/** The simulated client's leave button: the person's open stay ends now. */
export function leavePage(ctx: SimContext, rawId: string, token: string | null): { reply: SimReply; left?: { webinar: SimWebinar; stay: SimParticipation } } {
  const w = /^\d+$/.test(rawId) ? ctx.state.webinars.get(Number(rawId)) : undefined;
  const stay = w && token ? recordLeave(ctx, w, token) : undefined;
  const html = page('Left the webinar', stay ? '<h1>You have left the webinar.</h1>' : '<h1>You were not in this webinar.</h1>');
  return { reply: { status: stay ? 200 : 404, html }, ...(w && stay ? { left: { webinar: w, stay } } : {}) };
}
