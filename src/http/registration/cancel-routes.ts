import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pickLanguage } from '../../i18n/languages.js';
import type { Access, ParticipantAccess } from '../../services/participant-access.js';
import type { ParticipantService } from '../../services/participant-service.js';
import { sendDenied } from '../participant/refusal-pages.js';
import type { Translations } from '../../i18n/i18n.js';
import { formTokenMatches, issueFormToken } from './form-security.js';
import type { Pages } from './page-reply.js';

export interface CancelRoutesDeps {
  access: ParticipantAccess;
  participants: Pick<ParticipantService, 'revoke'>;
  pages: Pages;
  translations: Translations;
  secureCookies: boolean;
}

const tokenParams = z.object({ token: z.string().min(1).max(512) });

/**
 * "Cancel my registration" from the personal page: a page asking to confirm, then a POST that revokes the
 * participant exactly as the organizer's DELETE does (links stop working, Zoom registration cancelled, the
 * place goes to the first person waiting).
 */
export async function cancelRoutes(parent: FastifyInstance, deps: CancelRoutesDeps): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const p = deps.pages;

  const resolve = async (token: string) => deps.access.resolve(token);
  const denied = (request: FastifyRequest, reply: FastifyReply, access: Extract<Access, { ok: false }>) => sendDenied(request, reply, access, deps.translations);

  const ask = (request: FastifyRequest, reply: FastifyReply, access: Extract<Access, { ok: true }>, status: number, expired: boolean) => {
    const { programme } = access.event.stored;
    const language = pickLanguage(access.participant.language, programme.language);
    const path = `/p/${access.token}`;
    const token = issueFormToken(request, reply, deps.secureCookies);
    return p.message(reply, status, language, (t) => ({
      title: expired ? t('registration.formExpiredTitle') : t('registration.cancelTitle'),
      paragraphs: [...(expired ? [t('registration.formExpiredText')] : []), t('registration.cancelText', { event: programme.title })],
      form: { action: `${path}/cancel`, token, label: t('registration.cancelButton') },
      links: [{ href: path, label: t('registration.cancelKeep') }],
    }));
  };

  app.get('/p/:token/cancel', { schema: { tags: ['participant'], summary: 'Asks to confirm cancelling the registration (HTML)', params: tokenParams } }, async (request, reply) => {
    const access = await resolve(request.params.token);
    if (!access.ok) return denied(request, reply, access);
    return ask(request, reply, access, 200, false);
  });

  app.post('/p/:token/cancel', { schema: { tags: ['participant'], summary: 'Cancels the registration: the personal links stop working', params: tokenParams } }, async (request, reply) => {
    const access = await resolve(request.params.token);
    if (!access.ok) return denied(request, reply, access);
    if (!formTokenMatches(request)) return ask(request, reply, access, 403, true);
    const { programme } = access.event.stored;
    await deps.participants.revoke(programme.id, access.participant.id);
    request.log.info({ eventId: programme.id, participantId: access.participant.id }, 'participant cancelled their registration');
    const language = pickLanguage(access.participant.language, programme.language);
    return p.message(reply, 200, language, (t) => ({ title: t('registration.cancelledTitle'), paragraphs: [t('registration.cancelledText', { event: programme.title })] }));
  });
}
