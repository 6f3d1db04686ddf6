import type { Translations } from '../../i18n/i18n.js';
import { renderCertificate } from './certificate.js';
import { renderConfirmation, renderWaitlisted } from './confirmation.js';
import { renderInvitation } from './invitation.js';
import type { MailModel, RenderedMail } from './mail-model.js';
import { renderReminder } from './reminder.js';
import { renderUpdate } from './update.js';

/** Subject, text and HTML of any kind, in the model's language. */
export function renderMail(model: MailModel, translations: Translations): RenderedMail {
  const t = translations.translator(model.language);
  switch (model.kind) {
    case 'invitation':
      return renderInvitation(model, t);
    case 'reminder':
      return renderReminder(model, t);
    case 'update':
      return renderUpdate(model, t);
    case 'confirmation':
      return model.step === 'waitlisted' ? renderWaitlisted(model, t) : renderConfirmation(model, t);
    case 'certificate':
      return renderCertificate(model, t);
  }
}
