import { formatNumber } from '../../i18n/format.js';
import type { Translate } from '../../i18n/i18n.js';
import { bdi, footer, greeting, pageButton } from './blocks.js';
import { singleLine } from '../../domain/single-line.js';
import { translateHtml } from '../../i18n/html.js';
import { button, paragraph, renderHtmlDocument, renderTextDocument } from './layout.js';
import type { CertificateMail, RenderedMail } from './mail-model.js';

/** The certificate is a link (behind the personal token), not an attachment: it can be fetched again later. */
export function renderCertificate(model: CertificateMail, t: Translate): RenderedMail {
  const event = singleLine(model.event.title);
  const subject = t('mail.certificate.subject', { event });
  const hours = formatNumber(model.hoursAttended, model.language);
  const blocks = [
    greeting(t, model.participant.name),
    paragraph(t('mail.certificate.intro', { event }), translateHtml(t, 'mail.certificate.intro', { event: bdi(model.event.title) })),
    paragraph(t('mail.certificate.hours', { hours, count: model.hoursAttended })),
    button(t('mail.certificate.button'), model.links.certificate, t('mail.linkFallback')),
    pageButton(t, model.links.page),
    ...footer(t, model),
  ];
  const shell = { language: model.language, subject, blocks };
  return { subject, text: renderTextDocument(shell), html: renderHtmlDocument(shell), language: model.language };
}
