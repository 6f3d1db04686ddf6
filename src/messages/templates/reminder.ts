import { formatLeadTime } from '../../i18n/format.js';
import { formatDayDate } from './remembered-formats.js';
import type { Translate } from '../../i18n/i18n.js';
import { agenda, dayAdvice, footer, greeting, joinHint, pageButton } from './blocks.js';
import { singleLine } from '../../domain/single-line.js';
import { html, safeUrl } from '../../i18n/html.js';
import { note, paragraph, renderHtmlDocument, renderTextDocument, styles } from './layout.js';
import { unsubscribeUrl, type RenderedMail, type ReminderMail } from './mail-model.js';

/** Before a day: that date's sessions, the page to join from, and a visible way to stop reminders. */
export function renderReminder(model: ReminderMail, t: Translate): RenderedMail {
  const event = singleLine(model.event.title);
  const subject = t('mail.reminder.subject', { when: formatLeadTime(model.minutesBefore, model.language), event });
  const first = model.days.flatMap((d) => d.sessions).sort((a, b) => a.startsAt.localeCompare(b.startsAt))[0];
  const date = formatDayDate(model.date, model.event.timezone, model.language);
  const unsubscribe = safeUrl(unsubscribeUrl(model.links.page));
  const blocks = [
    greeting(t, model.participant.name),
    ...(first ? [paragraph(t('mail.reminder.intro', { date, time: first.localStart }))] : []),
    pageButton(t, model.links.page),
    ...agenda(t, model.days, model),
    joinHint(t, model.event.joinOpensMinutesBefore),
    ...dayAdvice(t, model.days, model.language),
    ...footer(t, model),
    note(
      `${t('mail.reminder.unsubscribe')} ${t('mail.reminder.unsubscribeLink')}\n${unsubscribe}`,
      html`${t('mail.reminder.unsubscribe')} <a href="${unsubscribe}" style="${styles.LINK}">${t('mail.reminder.unsubscribeLink')}</a>`,
    ),
  ];
  const shell = { language: model.language, subject, blocks };
  return { subject, text: renderTextDocument(shell), html: renderHtmlDocument(shell), language: model.language };
}
