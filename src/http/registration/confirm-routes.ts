import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Language } from '../../i18n/languages.js';
import type { ConfirmOutcome, ConfirmPageOutcome, RegistrationService } from '../../services/registration-service.js';
import { formTokenMatches, issueFormToken } from './form-security.js';
import { eventParams, pageLanguage, unavailable, type Pages } from './page-reply.js';

export interface ConfirmRoutesDeps {
  registrations: RegistrationService;
  pages: Pages;
  secureCookies: boolean;
  formPath(eventId: string): string;
}

const confirmParams = eventParams.extend({ token: z.string().min(1).max(600) });
type Problem = Exclude<ConfirmPageOutcome, { kind: 'ready' }> & Exclude<ConfirmOutcome, { kind: 'registered' } | { kind: 'waitlisted' }>;

/**
 * The confirmation link: a GET shows a button and changes nothing (mail scanners open every link), the POST
 * from that page's form registers. Both carry the signed token in the path.
 */
export async function confirmRoutes(parent: FastifyInstance, deps: ConfirmRoutesDeps): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const p = deps.pages;
  const path = (eventId: string, token: string) => `/e/${encodeURIComponent(eventId)}/confirm/${token}`;

  const problem = (request: FastifyRequest, reply: FastifyReply, eventId: string, outcome: Problem) => {
    const event = 'event' in outcome ? outcome.event : undefined;
    const language = pageLanguage(request, event);
    const again = { href: deps.formPath(eventId), label: p.t(language)('registration.registerAgain') };
    switch (outcome.kind) {
      case 'invalid':
        return p.message(reply, 403, language, (t) => ({ ...(event ? { event } : {}), title: t('registration.invalidTitle'), paragraphs: [t('registration.invalidText')], ...(event ? { links: [again] } : {}) }));
      case 'expired':
        return p.message(reply, 410, language, (t) => ({ event: outcome.event, title: t('registration.expiredTitle'), paragraphs: [t('registration.expiredText')], links: [again] }));
      default:
        return unavailable(p, reply, language, outcome);
    }
  };

  const confirmPage = (request: FastifyRequest, reply: FastifyReply, eventId: string, token: string, outcome: Extract<ConfirmPageOutcome, { kind: 'ready' }>) => {
    const formToken = issueFormToken(request, reply, deps.secureCookies);
    return p.message(reply, 200, outcome.language, (t) => ({
      event: outcome.event,
      title: t('registration.confirmTitle'),
      paragraphs: [t('registration.confirmText', { event: outcome.event.title, name: outcome.name })],
      form: { action: path(eventId, token), token: formToken, label: t('registration.confirmButton') },
    }));
  };

  app.get('/e/:eventId/confirm/:token', { schema: { tags: ['registration'], summary: 'The confirmation link: a page with the confirm button (HTML)', params: confirmParams } }, async (request, reply) => {
    const { eventId, token } = request.params;
    const outcome = await deps.registrations.confirmation(eventId, token);
    if (outcome.kind !== 'ready') return problem(request, reply, eventId, outcome);
    return confirmPage(request, reply, eventId, token, outcome);
  });

  app.post('/e/:eventId/confirm/:token', { schema: { tags: ['registration'], summary: 'Confirms: registers (303 to the personal page) or waitlists', params: confirmParams } }, async (request, reply) => {
    const { eventId, token } = request.params;
    if (!formTokenMatches(request)) {
      // Not from our page in this browser: say so, and offer the button again with a fresh token.
      const outcome = await deps.registrations.confirmation(eventId, token);
      if (outcome.kind !== 'ready') return problem(request, reply, eventId, outcome);
      const formToken = issueFormToken(request, reply, deps.secureCookies);
      return p.message(reply, 403, outcome.language, (t) => ({
        event: outcome.event,
        title: t('registration.formExpiredTitle'),
        paragraphs: [t('registration.formExpiredText')],
        form: { action: path(eventId, token), token: formToken, label: t('registration.confirmButton') },
      }));
    }
    const outcome = await deps.registrations.confirm(eventId, token);
    switch (outcome.kind) {
      case 'registered':
        return reply.code(303).header('location', outcome.pageUrl).header('cache-control', 'no-store').header('content-language', outcome.language).send();
      case 'waitlisted':
        return waitlisted(reply, outcome.language, outcome);
      default:
        return problem(request, reply, eventId, outcome);
    }
  });

  const waitlisted = (reply: FastifyReply, language: Language, outcome: Extract<ConfirmOutcome, { kind: 'waitlisted' }>) =>
    p.message(reply, 200, language, (t) => ({
      event: outcome.event,
      title: t('registration.waitlistedTitle'),
      paragraphs: [t('registration.waitlistedText', { event: outcome.event.title, position: outcome.position })],
    }));
}
