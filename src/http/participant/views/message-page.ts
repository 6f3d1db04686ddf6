import { formatDateTime, formatUtcOffset } from '../../../i18n/format.js';
import { SafeHtml, translateHtml } from '../../../i18n/html.js';
import type { Translate } from '../../../i18n/i18n.js';
import type { Language } from '../../../i18n/languages.js';
import { escapeHtml, isoInstant, renderDocument, safeHref, scriptStrings } from './participant-page.js';

export interface MessagePageInput {
  language: Language;
  t: Translate;
  title: string;
  message: string;
  detail?: string;
  /** Shown in the event zone; the browser script adds the viewer's zone when it differs. */
  opensAt?: { iso: string; timezone: string };
  /** Adds a meta refresh, for states that resolve on their own (registration still being processed). */
  refreshSeconds?: number;
  /** Link back to the personal page. */
  pageUrl?: string;
}

/** The 4xx/503 pages of the join flow: they explain, and never redirect anywhere. */
export function renderMessagePage(input: MessagePageInput): string {
  const { t, language } = input;
  const refresh =
    input.refreshSeconds !== undefined && Number.isFinite(input.refreshSeconds)
      ? Math.max(1, Math.round(input.refreshSeconds))
      : undefined;
  const head = refresh !== undefined ? `<meta http-equiv="refresh" content="${refresh}">\n` : '';

  let opens = '';
  if (input.opensAt) {
    const iso = isoInstant(input.opensAt.iso);
    const zone = input.opensAt.timezone;
    const time = `<time datetime="${escapeHtml(iso)}" data-instant="${escapeHtml(iso)}" data-zone="${escapeHtml(zone)}">${escapeHtml(formatDateTime(iso, zone, language))}</time>`;
    opens = `<p class="opens-at">${translateHtml(t, 'message.opensAt', { when: new SafeHtml(time) }).value} <span class="zone-label">(${escapeHtml(zone)}, ${escapeHtml(formatUtcOffset(iso, zone))})</span></p>`;
  }

  const parts = [
    `<main id="message" class="message">`,
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="message-text">${escapeHtml(input.message)}</p>`,
    opens,
    input.detail ? `<p class="message-detail">${escapeHtml(input.detail)}</p>` : '',
    // Without JS the meta refresh is the only retry; saying so keeps people from closing the tab.
    refresh !== undefined ? `<p class="refresh-note">${escapeHtml(t('message.refreshNote', { seconds: refresh }))}</p>` : '',
    input.pageUrl ? `<p><a href="${safeHref(input.pageUrl)}">${escapeHtml(t('message.backToProgramme'))}</a></p>` : '',
    `</main>`,
  ];
  return renderDocument({
    title: input.title,
    lang: language,
    head,
    body: parts.filter(Boolean).join('\n'),
    eventZone: input.opensAt?.timezone,
    strings: input.opensAt ? scriptStrings(t) : undefined,
  });
}
