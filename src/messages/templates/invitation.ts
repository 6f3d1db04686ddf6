import type { Translate } from '../../i18n/i18n.js';
import { agenda, bdi, dayAdvice, footer, greeting, joinHint, pageButton } from './blocks.js';
import { singleLine } from '../../domain/single-line.js';
import { translateHtml } from '../../i18n/html.js';
import { note, paragraph, renderHtmlDocument, renderTextDocument, type Block } from './layout.js';
import type { InvitationMail, RenderedMail } from './mail-model.js';

function roleNote(t: Translate, role: InvitationMail['participant']['role']): Block[] {
  if (role === 'moderator') return [paragraph(t('mail.invitation.moderator'))];
  if (role === 'panelist') return [paragraph(t('mail.invitation.panelist'))];
  return [];
}

/** The first mail: who they are registered as, the programme, the personal page and the calendar file. */
export function renderInvitation(model: InvitationMail, t: Translate): RenderedMail {
  const event = singleLine(model.event.title);
  const subject = t('mail.invitation.subject', { event });
  const blocks = [
    greeting(t, model.participant.name),
    paragraph(t('mail.invitation.intro', { event }), translateHtml(t, 'mail.invitation.intro', { event: bdi(model.event.title) })),
    ...roleNote(t, model.participant.role),
    pageButton(t, model.links.page),
    ...agenda(t, model.days, model),
    joinHint(t, model.event.joinOpensMinutesBefore),
    ...dayAdvice(t, model.days, model.language),
    note(t('mail.calendarAttached')),
    ...footer(t, model),
  ];
  const shell = { language: model.language, subject, blocks };
  return { subject, text: renderTextDocument(shell), html: renderHtmlDocument(shell), language: model.language };
}
