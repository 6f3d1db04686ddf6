import { escapeHtml, formatInZone, isoInstant, renderDocument, safeHref, utcOffsetLabel } from './participant-page.js';

export interface MessagePageInput {
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
  const refresh =
    input.refreshSeconds !== undefined && Number.isFinite(input.refreshSeconds)
      ? Math.max(1, Math.round(input.refreshSeconds))
      : undefined;
  const head = refresh !== undefined ? `<meta http-equiv="refresh" content="${refresh}">\n` : '';

  let opens = '';
  if (input.opensAt) {
    const iso = isoInstant(input.opensAt.iso);
    const zone = input.opensAt.timezone;
    const label = formatInZone(iso, zone, "cccc d LLLL yyyy, HH:mm");
    opens = `<p class="opens-at">Opens at <time datetime="${escapeHtml(iso)}" data-instant="${escapeHtml(iso)}" data-zone="${escapeHtml(zone)}">${escapeHtml(label)}</time> <span class="zone-label">(${escapeHtml(zone)}, ${escapeHtml(utcOffsetLabel(iso, zone))})</span></p>`;
  }

  const parts = [
    `<main id="message" class="message">`,
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="message-text">${escapeHtml(input.message)}</p>`,
    opens,
    input.detail ? `<p class="message-detail">${escapeHtml(input.detail)}</p>` : '',
    // Without JS the meta refresh is the only retry; saying so keeps people from closing the tab.
    refresh !== undefined ? `<p class="refresh-note">This page checks again every ${refresh} seconds.</p>` : '',
    input.pageUrl ? `<p><a href="${safeHref(input.pageUrl)}">Back to your programme</a></p>` : '',
    `</main>`,
  ];
  return renderDocument({
    title: input.title,
    head,
    body: parts.filter(Boolean).join('\n'),
    eventZone: input.opensAt?.timezone,
  });
}
