import type { SessionChange, SessionSnapshot } from '../../domain/messages.js';
import { formatShortDayDate } from './remembered-formats.js';
import type { Translate } from '../../i18n/i18n.js';
import type { Language } from '../../i18n/languages.js';
import { bdi, footer, greeting, pageButton, zoneNote } from './blocks.js';
import { singleLine } from '../../domain/single-line.js';
import { html, translateHtml } from '../../i18n/html.js';
import { note, paragraph, renderHtmlDocument, renderTextDocument, styles, type Block } from './layout.js';
import type { RenderedMail, UpdateMail } from './mail-model.js';

function when(t: Translate, s: SessionSnapshot, zone: string, language: Language): string {
  return t('mail.update.when', { date: formatShortDayDate(s.date, zone, language), start: s.localStart, end: s.localEnd });
}

/** One change: what it is, the session, and its old and new local times in the event zone. */
function changeBlock(t: Translate, change: SessionChange, zone: string, language: Language): Block {
  const label = t(`mail.update.${change.change}`);
  const title = change.change === 'removed' ? change.before.title : change.after.title;
  const lines = [
    ...(change.change === 'added' ? [] : [t('mail.update.was', { when: when(t, change.before, zone, language) })]),
    ...(change.change === 'removed' ? [] : [t('mail.update.now', { when: when(t, change.after, zone, language) })]),
  ];
  return {
    text: [`${label} ${singleLine(title)}`, ...lines.map((l) => `  ${l}`)].join('\n'),
    html: html`<p style="margin:0 0 12px;${styles.TEXT}"><strong>${label}</strong> ${bdi(title)}${lines.map((l) => html`<br>${l}`)}</p>`,
  };
}

/** The sessions that moved, appeared or went since the participant last heard, one notice per window. */
export function renderUpdate(model: UpdateMail, t: Translate): RenderedMail {
  const event = singleLine(model.event.title);
  const subject = t('mail.update.subject', { event });
  const zone = model.event.timezone;
  const blocks = [
    greeting(t, model.participant.name),
    paragraph(t('mail.update.intro', { event }), translateHtml(t, 'mail.update.intro', { event: bdi(model.event.title) })),
    zoneNote(t, model.changes.flatMap((c) => [...(c.change === 'added' ? [] : [c.before.startsAt]), ...(c.change === 'removed' ? [] : [c.after.startsAt])]), zone),
    ...model.changes.map((c) => changeBlock(t, c, zone, model.language)),
    pageButton(t, model.links.page),
    note(t('mail.calendarUpdated')),
    ...footer(t, model),
  ];
  const shell = { language: model.language, subject, blocks };
  return { subject, text: renderTextDocument(shell), html: renderHtmlDocument(shell), language: model.language };
}
