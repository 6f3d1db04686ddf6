import { DateTime } from 'luxon';
import { SafeHtml, translateHtml } from '../../../i18n/html.js';
import { formatDayDate, formatUtcOffset } from '../../../i18n/format.js';
import type { Translate } from '../../../i18n/i18n.js';
import { FALLBACK_LANGUAGE, isSupportedLanguage, localeFor, type Language } from '../../../i18n/languages.js';
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

/**
 * What the page script writes itself (a join button appearing, "your time"), in the page's language: handed
 * over as data attributes, since the strict CSP allows no inline script. `{{…}}` are filled in by the script.
 */
export function scriptStrings(t: Translate): Record<string, string> {
  const keep = (name: string) => `{{${name}}}`;
  return {
    join: t('page.join'),
    'opens-at': t('page.opensAt', { time: keep('time') }),
    ended: t('page.ended'),
    'your-time': t('page.yourTime', { time: keep('time') }),
    'your-time-in-zone': t('page.yourTimeInZone', { time: keep('time'), zone: keep('zone') }),
    'now-open': t('page.nowOpen', { title: keep('title') }),
    'viewer-zone-note': t('page.viewerZoneNote', { zone: keep('zone') }),
  };
}

export interface DocumentShell {
  title: string;
  /** The language the page is written in (`<html lang>`); English unless said. */
  lang?: string;
  body: string;
  eventZone?: string;
  now?: string;
  head?: string;
  /** Texts for the page script (see scriptStrings); the locale it formats dates in follows `lang`. */
  strings?: Record<string, string>;
}

/** The page shell shared by the agenda and the join-flow messages: same assets, no inline script or style. */
export function renderDocument(shell: DocumentShell): string {
  const bodyAttrs = [
    shell.eventZone ? ` data-event-zone="${escapeHtml(shell.eventZone)}"` : '',
    shell.now ? ` data-now="${escapeHtml(isoInstant(shell.now))}"` : '',
    shell.strings ? ` data-locale="${escapeHtml(localeFor(isSupportedLanguage(shell.lang ?? '') ? (shell.lang as Language) : FALLBACK_LANGUAGE))}"` : '',
    ...Object.entries(shell.strings ?? {}).map(([name, text]) => ` data-t-${name}="${escapeHtml(text)}"`),
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

const strong = (text: string) => new SafeHtml(`<strong>${escapeHtml(text)}</strong>`);

function joinControl(session: PageSession, zone: string, t: Translate): string {
  const data =
    `data-join data-state="${session.state}" data-opens-at="${escapeHtml(isoInstant(session.joinOpensAt))}"` +
    ` data-ends-at="${escapeHtml(isoInstant(session.endsAt))}" data-join-url="${safeHref(session.joinUrl)}"` +
    ` data-session-title="${escapeHtml(session.title)}"`;
  switch (session.state) {
    case 'open':
      return `<a class="join" href="${safeHref(session.joinUrl)}" ${data}>${escapeHtml(t('page.join'))}<span class="visually-hidden"> ${escapeHtml(session.title)}</span></a>`;
    case 'upcoming':
      return `<span class="join join-disabled" ${data}>${escapeHtml(t('page.opensAt', { time: formatInZone(session.joinOpensAt, zone, 'HH:mm') }))}</span>`;
    case 'ended':
      return `<span class="join join-disabled" ${data}>${escapeHtml(t('page.ended'))}</span>`;
  }
}

function sessionRow(session: PageSession, zone: string, t: Translate): string {
  const description = session.description ? `<p class="session-description">${escapeHtml(session.description)}</p>` : '';
  return `<tr>
<td class="when" data-starts-at="${escapeHtml(isoInstant(session.startsAt))}" data-ends-at="${escapeHtml(isoInstant(session.endsAt))}"><time datetime="${escapeHtml(isoInstant(session.startsAt))}">${escapeHtml(session.localStart)}</time>–<time datetime="${escapeHtml(isoInstant(session.endsAt))}">${escapeHtml(session.localEnd)}</time></td>
<td class="what"><span class="session-title">${escapeHtml(session.title)}</span>${description}</td>
<td class="join-cell">${joinControl(session, zone, t)}</td>
</tr>`;
}

function conferenceNote(day: PageDay, t: Translate): string {
  const languages = day.interpretationLanguages ?? [];
  const list = languages.length
    ? `<p>${escapeHtml(t('interpretation.available'))}</p>
<ul class="languages">${languages.map((l) => `<li data-language="${escapeHtml(l.code)}">${escapeHtml(l.name)}</li>`).join('')}</ul>
<p>${escapeHtml(t('interpretation.howTo'))}</p>
<ol>
<li>${translateHtml(t, 'interpretation.step1', { label: strong(t('interpretation.step1Label')) }).value}</li>
<li>${escapeHtml(t('interpretation.step2'))}</li>
<li>${translateHtml(t, 'interpretation.step3', { label: strong(t('interpretation.step3Label')) }).value}</li>
</ol>`
    : '';
  return `<div class="day-note">
<p>${translateHtml(t, 'page.conferenceNote', { webinar: strong(t('page.conferenceNoteWebinar')) }).value}</p>
${list}
</div>`;
}

function academyNote(t: Translate): string {
  const advice = new SafeHtml(`<a href="#advice-academy">${escapeHtml(t('page.academyNoteAdvice'))}</a>`);
  return `<div class="day-note"><p>${translateHtml(t, 'page.academyNote', { bbb: strong('BigBlueButton'), advice }).value}</p></div>`;
}

/** An academy day and the conference may share a date, so the kind is part of the id. */
export function dayAnchor(day: Pick<PageDay, 'kind' | 'date'>): string {
  return `day-${day.kind}-${escapeHtml(day.date)}`;
}

function daySection(day: PageDay, zone: string, t: Translate, language: Language): string {
  const headingId = dayAnchor(day);
  const noon = DateTime.fromISO(`${day.date}T12:00`, { zone });
  const dateLabel = noon.isValid ? formatDayDate(day.date, zone, language) : day.date;
  const offset = noon.isValid ? formatUtcOffset(noon.toUTC().toISO() ?? '', zone) : '';
  const rows = day.sessions.map((s) => sessionRow(s, zone, t)).join('\n');
  const table = day.sessions.length
    ? `<table>
<caption class="visually-hidden">${escapeHtml(t('page.sessionsCaption', { date: dateLabel }))}</caption>
<thead><tr><th scope="col">${escapeHtml(t('page.columnTime'))} <span class="zone-label">(${escapeHtml(zone)}${offset ? `, ${escapeHtml(offset)}` : ''})</span></th><th scope="col">${escapeHtml(t('page.columnSession'))}</th><th scope="col">${escapeHtml(t('page.columnJoin'))}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : `<p>${escapeHtml(t('page.noSessionsOnDay'))}</p>`;
  return `<section class="day day-${day.kind}" aria-labelledby="${headingId}">
<h2 id="${headingId}">${escapeHtml(day.title)} <span class="day-date">— <time datetime="${escapeHtml(day.date)}">${escapeHtml(dateLabel)}</time></span></h2>
${day.kind === 'academy' ? academyNote(t) : conferenceNote(day, t)}
${table}
</section>`;
}

function roleNote(role: ParticipantPageModel['participant']['role'], t: Translate): string {
  switch (role) {
    case 'moderator':
      return `<p>${translateHtml(t, 'page.roleModerator', { role: strong(t('page.roleModeratorName')) }).value}</p>`;
    case 'panelist':
      return `<p>${translateHtml(t, 'page.rolePanelist', { role: strong(t('page.rolePanelistName')) }).value}</p>`;
    case 'participant':
      return '';
  }
}

function academyAdvice(t: Translate): string {
  return `<section class="advice" aria-labelledby="advice-academy">
<h2 id="advice-academy">${escapeHtml(t('advice.heading'))}</h2>
<ul>
<li><strong>${escapeHtml(t('advice.browsers'))}</strong> <strong>${escapeHtml(t('advice.opera'))}</strong></li>
<li>${escapeHtml(t('advice.connection'))}</li>
<li>${escapeHtml(t('advice.headset'))}</li>
<li>${escapeHtml(t('advice.quiet'))}</li>
<li>${escapeHtml(t('advice.firewall'))}</li>
</ul>
</section>`;
}

function operaWarning(t: Translate): string {
  return `<div class="warning" role="alert" data-opera-warning hidden>
<p><strong>${escapeHtml(t('page.operaWarning'))}</strong></p>
</div>`;
}

function remindersSection(reminders: NonNullable<ParticipantPageModel['reminders']>, t: Translate): string {
  const [text, action, label] = reminders.on
    ? [t('page.remindersOn'), reminders.stopAction, t('page.remindersStop')]
    : [t('page.remindersOff'), reminders.resumeAction, t('page.remindersResume')];
  return `<section class="reminders" aria-labelledby="reminders-heading">
<h2 id="reminders-heading">${escapeHtml(t('page.remindersHeading'))}</h2>
<p data-reminders="${reminders.on ? 'on' : 'off'}">${escapeHtml(text)}</p>
<form method="post" action="${safeHref(action)}"><button type="submit" class="secondary">${escapeHtml(label)}</button></form>
</section>`;
}

export function renderParticipantPage(model: ParticipantPageModel, t: Translate): string {
  const zone = model.event.timezone;
  const { language } = model;
  const hasAcademy = model.days.some((d) => d.kind === 'academy');
  const nav = model.days.length > 1
    ? `<nav aria-label="${escapeHtml(t('page.daysNav'))}"><ul class="day-nav">${model.days
        .map((d) => `<li><a href="#${dayAnchor(d)}">${escapeHtml(d.title)}</a></li>`)
        .join('')}</ul></nav>`
    : '';
  const days = model.days.length
    ? model.days.map((d) => daySection(d, zone, t, language)).join('\n')
    : `<p>${escapeHtml(t('page.noSessions'))}</p>`;
  const attendanceLink = model.attendanceUrl
    ? new SafeHtml(`<a href="${safeHref(model.attendanceUrl)}" data-attendance-link>${escapeHtml(t('attendance.link'))}</a>`)
    : undefined;
  const body = `<a class="skip-link" href="#programme">${escapeHtml(t('page.skipLink'))}</a>
<header class="page-header">
<p class="event-title">${escapeHtml(model.event.title)}</p>
<h1>${escapeHtml(t('page.heading'))}</h1>
<p>${translateHtml(t, 'page.welcome', { name: new SafeHtml(`<span class="participant-name">${escapeHtml(model.participant.name)}</span>`) }).value}</p>
${roleNote(model.participant.role, t)}
</header>
${nav}
<main id="programme" tabindex="-1">
${hasAcademy ? operaWarning(t) : ''}
<p class="zone-note">${translateHtml(t, 'page.zoneNote', { zone: strong(zone) }).value}<span data-viewer-zone-note hidden></span></p>
<p class="visually-hidden" role="status" data-join-status></p>
${days}
${hasAcademy ? academyAdvice(t) : ''}
${attendanceLink ? `<section class="attendance" aria-labelledby="attendance-heading">
<h2 id="attendance-heading">${escapeHtml(t('attendance.heading'))}</h2>
<p>${translateHtml(t, 'page.attendanceText', { link: attendanceLink }).value}</p>
</section>` : ''}
<section class="calendar" aria-labelledby="calendar-heading">
<h2 id="calendar-heading">${escapeHtml(t('page.calendarHeading'))}</h2>
<p><a href="${safeHref(model.calendarUrl)}">${escapeHtml(t('page.calendarLink'))}</a>. ${escapeHtml(t('page.calendarHint'))}</p>
</section>
${model.reminders ? remindersSection(model.reminders, t) : ''}
</main>
<footer class="page-footer"><p>${escapeHtml(t('page.footer'))}</p>${model.cancelUrl ? `<p><a href="${safeHref(model.cancelUrl)}">${escapeHtml(t('page.cancelLink'))}</a></p>` : ''}</footer>`;
  return renderDocument({ title: t('page.documentTitle', { event: model.event.title }), lang: language, body, eventZone: zone, now: model.now, strings: scriptStrings(t) });
}
