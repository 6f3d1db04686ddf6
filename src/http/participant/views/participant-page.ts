import { DateTime } from 'luxon';
import type { PageDay, PageSession, ParticipantPageModel } from './page-model.js';

export type { ParticipantPageModel } from './page-model.js';

export const ASSET_SCRIPT_PATH = '/assets/participant-page.js';
export const ASSET_STYLE_PATH = '/assets/participant-page.css';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in double- or single-quoted attributes alike, so callers need not know where a value lands. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Links on these pages are built by us, but a javascript: or data: URL slipping into a model would run in the
 * participant's session, so anything that is not http(s) or site-relative is neutralised.
 */
export function safeHref(url: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return escapeHtml(url);
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? escapeHtml(parsed.href) : '#';
  } catch {
    return '#';
  }
}

/** Normalises to a valid HTML global date-time; throws on garbage rather than emitting a misleading page. */
export function isoInstant(iso: string): string {
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`not an ISO instant: ${iso}`);
  return dt.toUTC().toISO({ suppressMilliseconds: true }) ?? iso;
}

export function formatInZone(iso: string, zone: string, format: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale('en-GB').toFormat(format);
}

export function utcOffsetLabel(iso: string, zone: string): string {
  const offset = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('ZZ');
  return `UTC${offset}`;
}

export interface DocumentShell {
  title: string;
  /** The language the page is written in (`<html lang>`); English unless said. */
  lang?: string;
  body: string;
  eventZone?: string;
  now?: string;
  head?: string;
}

/** The page shell shared by the agenda and the join-flow messages: same assets, no inline script or style. */
export function renderDocument(shell: DocumentShell): string {
  const bodyAttrs = [
    shell.eventZone ? ` data-event-zone="${escapeHtml(shell.eventZone)}"` : '',
    shell.now ? ` data-now="${escapeHtml(isoInstant(shell.now))}"` : '',
  ].join('');
  return `<!doctype html>
<html lang="${escapeHtml(shell.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
${shell.head ?? ''}<title>${escapeHtml(shell.title)}</title>
<link rel="stylesheet" href="${ASSET_STYLE_PATH}">
<script src="${ASSET_SCRIPT_PATH}" defer></script>
</head>
<body${bodyAttrs}>
${shell.body}
</body>
</html>
`;
}

function joinControl(session: PageSession, zone: string): string {
  const data =
    `data-join data-state="${session.state}" data-opens-at="${escapeHtml(isoInstant(session.joinOpensAt))}"` +
    ` data-ends-at="${escapeHtml(isoInstant(session.endsAt))}" data-join-url="${safeHref(session.joinUrl)}"` +
    ` data-session-title="${escapeHtml(session.title)}"`;
  switch (session.state) {
    case 'open':
      return `<a class="join" href="${safeHref(session.joinUrl)}" ${data}>Join<span class="visually-hidden"> ${escapeHtml(session.title)}</span></a>`;
    case 'upcoming':
      return `<span class="join join-disabled" ${data}>Opens at ${escapeHtml(formatInZone(session.joinOpensAt, zone, 'HH:mm'))}</span>`;
    case 'ended':
      return `<span class="join join-disabled" ${data}>Ended</span>`;
  }
}

function sessionRow(session: PageSession, zone: string): string {
  const description = session.description ? `<p class="session-description">${escapeHtml(session.description)}</p>` : '';
  return `<tr>
<td class="when" data-starts-at="${escapeHtml(isoInstant(session.startsAt))}" data-ends-at="${escapeHtml(isoInstant(session.endsAt))}"><time datetime="${escapeHtml(isoInstant(session.startsAt))}">${escapeHtml(session.localStart)}</time>–<time datetime="${escapeHtml(isoInstant(session.endsAt))}">${escapeHtml(session.localEnd)}</time></td>
<td class="what"><span class="session-title">${escapeHtml(session.title)}</span>${description}</td>
<td class="join-cell">${joinControl(session, zone)}</td>
</tr>`;
}

function conferenceNote(day: PageDay): string {
  const languages = day.interpretationLanguages ?? [];
  const list = languages.length
    ? `<p>Live interpretation is available in:</p>
<ul class="languages">${languages.map((l) => `<li data-language="${escapeHtml(l.code)}">${escapeHtml(l.name)}</li>`).join('')}</ul>
<p>To choose a language in the Zoom client:</p>
<ol>
<li>In the meeting controls, click the globe icon labelled <strong>Interpretation</strong>.</li>
<li>Pick the language you want to hear.</li>
<li>Optionally choose <strong>Mute original audio</strong> to hear only the interpreter.</li>
</ol>`
    : '';
  return `<div class="day-note">
<p>This day is a <strong>Zoom webinar</strong>. The Zoom desktop or mobile app gives the best experience; your join link is personal, so please do not share it.</p>
${list}
</div>`;
}

function academyNote(): string {
  return `<div class="day-note"><p>This day takes place in <strong>BigBlueButton</strong> rooms, directly in your browser: nothing to install. Please read the <a href="#advice-academy">technical advice</a> before joining.</p></div>`;
}

/** An academy day and the conference may share a date, so the kind is part of the id. */
export function dayAnchor(day: Pick<PageDay, 'kind' | 'date'>): string {
  return `day-${day.kind}-${escapeHtml(day.date)}`;
}

function daySection(day: PageDay, zone: string): string {
  const headingId = dayAnchor(day);
  const noon = DateTime.fromISO(`${day.date}T12:00`, { zone });
  const dateLabel = noon.isValid ? noon.setLocale('en-GB').toFormat('cccc d LLLL yyyy') : day.date;
  const offset = noon.isValid ? `UTC${noon.toFormat('ZZ')}` : '';
  const rows = day.sessions.map((s) => sessionRow(s, zone)).join('\n');
  const table = day.sessions.length
    ? `<table>
<caption class="visually-hidden">Sessions on ${escapeHtml(dateLabel)}</caption>
<thead><tr><th scope="col">Time <span class="zone-label">(${escapeHtml(zone)}${offset ? `, ${escapeHtml(offset)}` : ''})</span></th><th scope="col">Session</th><th scope="col">Join</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : '<p>No sessions for you on this day.</p>';
  return `<section class="day day-${day.kind}" aria-labelledby="${headingId}">
<h2 id="${headingId}">${escapeHtml(day.title)} <span class="day-date">— <time datetime="${escapeHtml(day.date)}">${escapeHtml(dateLabel)}</time></span></h2>
${day.kind === 'academy' ? academyNote() : conferenceNote(day)}
${table}
</section>`;
}

function roleNote(role: ParticipantPageModel['participant']['role']): string {
  switch (role) {
    case 'moderator':
      return '<p>You are registered as a <strong>moderator</strong>: your join links give you moderator rights in the Academy rooms.</p>';
    case 'panelist':
      return '<p>You are registered as a <strong>panelist</strong> of the Conference webinar.</p>';
    case 'participant':
      return '';
  }
}

const ACADEMY_ADVICE = `<section class="advice" aria-labelledby="advice-academy">
<h2 id="advice-academy">Technical advice for the Academy (BigBlueButton)</h2>
<ul>
<li>Use an up-to-date <strong>Chrome, Firefox or Edge</strong>. <strong>Opera is not supported</strong> by BigBlueButton.</li>
<li>A good, stable internet connection: preferably cable or Wi-Fi, not mobile data.</li>
<li>Headphones (they prevent echo) and a microphone.</li>
<li>A quiet place.</li>
<li>Institutional networks may block the connection with their firewalls. If you cannot connect from work, try another network or ask your IT department.</li>
</ul>
</section>`;

const OPERA_WARNING = `<div class="warning" role="alert" data-opera-warning hidden>
<p><strong>Opera is not supported by BigBlueButton.</strong> Please open this page in Chrome, Firefox or Edge to join the Academy sessions.</p>
</div>`;

export function renderParticipantPage(model: ParticipantPageModel): string {
  const zone = model.event.timezone;
  const hasAcademy = model.days.some((d) => d.kind === 'academy');
  const nav = model.days.length > 1
    ? `<nav aria-label="Days"><ul class="day-nav">${model.days
        .map((d) => `<li><a href="#${dayAnchor(d)}">${escapeHtml(d.title)}</a></li>`)
        .join('')}</ul></nav>`
    : '';
  const days = model.days.length
    ? model.days.map((d) => daySection(d, zone)).join('\n')
    : '<p>You are not registered for any session yet.</p>';
  const body = `<a class="skip-link" href="#programme">Skip to your programme</a>
<header class="page-header">
<p class="event-title">${escapeHtml(model.event.title)}</p>
<h1>Your programme</h1>
<p>Welcome, <span class="participant-name">${escapeHtml(model.participant.name)}</span>.</p>
${roleNote(model.participant.role)}
</header>
${nav}
<main id="programme" tabindex="-1">
${hasAcademy ? OPERA_WARNING : ''}
<p class="zone-note">All times are in <strong>${escapeHtml(zone)}</strong>, the event's time zone.<span data-viewer-zone-note hidden></span></p>
<p class="visually-hidden" role="status" data-join-status></p>
${days}
${hasAcademy ? ACADEMY_ADVICE : ''}
${model.attendanceUrl ? `<section class="attendance" aria-labelledby="attendance-heading">
<h2 id="attendance-heading">Your attendance</h2>
<p><a href="${safeHref(model.attendanceUrl)}" data-attendance-link>Your attendance and certificate</a>: the minutes you attended each session and, where the event issues them, your certificate of attendance.</p>
</section>` : ''}
<section class="calendar" aria-labelledby="calendar-heading">
<h2 id="calendar-heading">Your calendar</h2>
<p><a href="${safeHref(model.calendarUrl)}">Subscribe to your programme (iCalendar feed)</a>. Add this address to your calendar app as a subscription so that programme changes reach you.</p>
</section>
</main>
<footer class="page-footer"><p>This page and its join links are personal: please do not share them.</p>${model.cancelUrl ? `<p><a href="${safeHref(model.cancelUrl)}">Cancel my registration</a></p>` : ''}</footer>`;
  return renderDocument({ title: `Your programme – ${model.event.title}`, body, eventZone: zone, now: model.now });
}
