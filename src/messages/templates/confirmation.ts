import type { Translate } from '../../i18n/i18n.js';
import { bdi, greeting } from './blocks.js';
import { singleLine } from '../../domain/single-line.js';
import { translateHtml } from '../../i18n/html.js';
import { button, note, paragraph, renderHtmlDocument, renderTextDocument } from './layout.js';
import type { ConfirmationMail, RenderedMail, WaitlistMail } from './mail-model.js';

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

/** Confirmed, but every place is taken: where they stand, and that the invitation follows when one frees up. */
export function renderWaitlisted(model: WaitlistMail, t: Translate): RenderedMail {
  const event = singleLine(model.event.title);
  const subject = t('mail.waitlisted.subject', { event });
  const blocks = [
    greeting(t, model.participant.name),
    paragraph(t('mail.waitlisted.intro', { event }), translateHtml(t, 'mail.waitlisted.intro', { event: bdi(model.event.title) })),
    paragraph(t('mail.waitlisted.position', { position: model.position })),
    note(t('mail.waitlisted.next')),
  ];
  const shell = { language: model.language, subject, blocks };
  return { subject, text: renderTextDocument(shell), html: renderHtmlDocument(shell), language: model.language };
}
