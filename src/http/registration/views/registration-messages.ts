import type { Translate } from '../../../i18n/i18n.js';
import type { Language } from '../../../i18n/languages.js';
import type { RegistrationEvent } from '../../../services/registration-service.js';
import { escapeHtml, renderDocument, safeHref } from '../../participant/views/participant-page.js';
import { eventHeader } from './registration-page.js';

export interface MessageForm {
  action: string;
  /** The double-submit token (form-security.ts). */
  token: string;
  label: string;
}

export interface RegistrationMessage {
  language: Language;
  t: Translate;
  title: string;
  paragraphs: readonly string[];
  /** With the event, its title and dates head the page; unknown events have none. */
  event?: RegistrationEvent;
  form?: MessageForm;
  links?: ReadonlyArray<{ href: string; label: string }>;
}

/**
 * The pages around the form: check your inbox, confirm, waitlisted, closed, too many, link problems, cancel.
 * Each says what happened and what to do next; the only actions are our own forms and links.
 */
export function renderRegistrationMessage(page: RegistrationMessage): string {
  const header = page.event
    ? eventHeader(page.t, page.event, page.title, page.language)
    : `<header class="page-header"><h1>${escapeHtml(page.title)}</h1></header>`;
  const form = page.form
    ? `<form method="post" action="${safeHref(page.form.action)}">
<input type="hidden" name="form" value="${escapeHtml(page.form.token)}">
<button type="submit" class="join">${escapeHtml(page.form.label)}</button>
</form>`
    : '';
  const links = (page.links ?? []).map((l) => `<p><a href="${safeHref(l.href)}">${escapeHtml(l.label)}</a></p>`).join('\n');
  const body = `${header}
<main id="message" class="message">
${page.paragraphs.map((p) => `<p class="message-text">${escapeHtml(p)}</p>`).join('\n')}
${form}
${links}
</main>`;
  return renderDocument({ title: page.event ? `${page.title} – ${page.event.title}` : page.title, lang: page.language, body });
}
