import type { Translate } from '../../i18n/i18n.js';
import { bdi, greeting } from './blocks.js';
import { singleLine } from '../../domain/single-line.js';
import { translateHtml } from './html.js';
import { button, note, paragraph, renderHtmlDocument, renderTextDocument } from './layout.js';
import type { ConfirmationMail, RenderedMail } from './mail-model.js';

/** Self-registration's double opt-in: one button, nothing else that could be mistaken for access. */
export function renderConfirmation(model: ConfirmationMail, t: Translate): RenderedMail {
  const event = singleLine(model.event.title);
  const subject = t('mail.confirmation.subject', { event });
  const blocks = [
    greeting(t, model.participant.name),
    paragraph(t('mail.confirmation.intro', { event }), translateHtml(t, 'mail.confirmation.intro', { event: bdi(model.event.title) })),
    button(t('mail.confirmation.button'), model.links.confirm, t('mail.linkFallback')),
    note(t('mail.confirmation.expiry')),
  ];
  const shell = { language: model.language, subject, blocks };
  return { subject, text: renderTextDocument(shell), html: renderHtmlDocument(shell), language: model.language };
}
