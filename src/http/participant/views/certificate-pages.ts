import type { AttendanceRow } from '../../../domain/attendance-report.js';
import { hoursFromMinutes } from '../../../domain/certificate.js';
import { formatDayDate, formatNumber } from '../../../i18n/format.js';
import type { Translate } from '../../../i18n/i18n.js';
import type { Language } from '../../../i18n/languages.js';
import type { VerifiedCertificate } from '../../../services/certificate-service.js';
import { escapeHtml, renderDocument, safeHref } from './participant-page.js';

/** The public confirmation behind a certificate's code: its own facts and nothing else (no email, no other ids). */
export function renderVerifyPage(verified: VerifiedCertificate, t: Translate): string {
  const { model, texts } = verified;
  const hours = formatNumber(hoursFromMinutes(model.minutes), model.language);
  const facts: Array<[string, string]> = [
    [t('verify.issuedTo'), model.participantName],
    [t('verify.event'), model.eventTitle],
    [t('verify.dates'), texts.dates],
    [t('verify.hours'), hours],
    [t('verify.issued'), formatDayDate(model.issuedAt.slice(0, 10), 'UTC', model.language)],
    [t('verify.code'), model.code],
  ];
  const rows = facts.map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td data-field>${escapeHtml(value)}</td></tr>`).join('\n');
  return renderDocument({
    title: t('verify.documentTitle', { event: model.eventTitle }),
    lang: model.language,
    body: `<main id="message" class="message verify">
<h1>${escapeHtml(t('verify.validTitle'))}</h1>
<p class="message-text">${escapeHtml(t('verify.validText'))}</p>
<table class="facts">
<tbody>
${rows}
</tbody>
</table>
${texts.organizer ? `<p>${escapeHtml(texts.organizer)}</p>` : ''}
</main>`,
  });
}

export function renderVerifyNotFound(t: Translate, language: Language): string {
  return renderDocument({
    title: t('verify.notFoundTitle'),
    lang: language,
    body: `<main id="message" class="message">
<h1>${escapeHtml(t('verify.notFoundTitle'))}</h1>
<p class="message-text">${escapeHtml(t('verify.notFoundText'))}</p>
</main>`,
  });
}

export interface AttendancePageModel {
  language: Language;
  eventTitle: string;
  pageUrl: string;
  row: AttendanceRow | undefined;
  requiredMinutes: number;
  sessions: ReadonlyArray<{ id: string; title: string }>;
  certificate: { state: 'issued'; pdfUrl: string } | { state: 'pending' } | { state: 'not-eligible'; percent: number } | { state: 'none' };
}

/** What the participant attended, per session, and their certificate (or why there is none yet). */
export function renderAttendancePage(model: AttendancePageModel, t: Translate): string {
  const minutesById = new Map(model.row?.sessions.map((s) => [s.id, s.minutes]));
  const rows = model.sessions
    .map((s) => `<tr><td>${escapeHtml(s.title)}</td><td class="minutes" data-session="${escapeHtml(s.id)}">${minutesById.get(s.id) ?? 0}</td></tr>`)
    .join('\n');
  const c = model.certificate;
  const certificate =
    c.state === 'issued'
      ? `<p><a class="join" href="${safeHref(c.pdfUrl)}" data-certificate>${escapeHtml(t('attendance.download'))}</a></p>`
      : c.state === 'pending'
        ? `<p>${escapeHtml(t('attendance.pending'))}</p>`
        : c.state === 'not-eligible'
          ? `<p>${escapeHtml(t('attendance.notEligible', { percent: formatNumber(c.percent, model.language) }))}</p>`
          : `<p>${escapeHtml(t('attendance.noCertificates'))}</p>`;
  return renderDocument({
    title: t('attendance.documentTitle', { event: model.eventTitle }),
    lang: model.language,
    body: `<main id="attendance" class="message">
<p class="event-title">${escapeHtml(model.eventTitle)}</p>
<h1>${escapeHtml(t('attendance.heading'))}</h1>
<p data-total>${escapeHtml(t('attendance.total', { minutes: model.row?.minutes ?? 0, required: model.requiredMinutes }))}</p>
<table>
<thead><tr><th scope="col">${escapeHtml(t('attendance.sessionColumn'))}</th><th scope="col">${escapeHtml(t('attendance.minutesColumn'))}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="zone-note">${escapeHtml(t('attendance.note'))}</p>
${certificate}
<p><a href="${safeHref(model.pageUrl)}">${escapeHtml(t('message.backToProgramme'))}</a></p>
</main>`,
  });
}

export function renderNoCertificate(input: { title: string; text: string; language: Language; attendanceUrl: string; back: string }): string {
  return renderDocument({
    title: input.title,
    lang: input.language,
    body: `<main id="message" class="message">
<h1>${escapeHtml(input.title)}</h1>
<p class="message-text">${escapeHtml(input.text)}</p>
<p><a href="${safeHref(input.attendanceUrl)}">${escapeHtml(input.back)}</a></p>
</main>`,
  });
}
