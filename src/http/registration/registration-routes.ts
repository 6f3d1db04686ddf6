import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Translations } from '../../i18n/i18n.js';
import type { Language } from '../../i18n/languages.js';
import type { ParticipantAccess } from '../../services/participant-access.js';
import type { ParticipantService } from '../../services/participant-service.js';
import type { RegistrationEvent, RegistrationService } from '../../services/registration-service.js';
import { cancelRoutes } from './cancel-routes.js';
import { confirmRoutes } from './confirm-routes.js';
import { acceptForms } from './form-security.js';
import { eventParams, pageLanguage, pages, sendPage, unavailable } from './page-reply.js';
import { parseRegistrationForm } from './registration-form.js';
import { consentText, renderRegistrationPage } from './views/registration-page.js';

export interface RegistrationRoutesDeps {
  registrations: RegistrationService;
  access: ParticipantAccess;
  participants: Pick<ParticipantService, 'revoke'>;
  translations: Translations;
  publicBaseUrl: string;
}

const formQuery = z.object({ lang: z.string().max(16).optional() });

/**
 * Self-registration: the public form, "check your inbox", the confirmation link's page and the personal page's
 * cancel step. HTML only, form-encoded posts, in the person's language.
 */
export const registrationRoutes: FastifyPluginAsyncZod<RegistrationRoutesDeps> = async (app, deps) => {
  acceptForms(app);
  const p = pages(deps.translations);
  const formPath = (eventId: string) => `/e/${encodeURIComponent(eventId)}/register`;
  // The sentence depends on the language and the event's title only, and i18next's interpolation was a visible
  // share of a POST's cost: kept per pair (bounded, since titles change with the programme).
  const consentSentences = new Map<string, string>();
  const consentFor = (language: Language, event: RegistrationEvent) => {
    const key = `${language}\n${event.title}`;
    let sentence = consentSentences.get(key);
    if (sentence === undefined) {
      if (consentSentences.size >= 1000) consentSentences.clear();
      sentence = consentText(p.t(language), event);
      consentSentences.set(key, sentence);
    }
    return sentence;
  };

  app.get('/e/:eventId/register', { schema: { tags: ['registration'], summary: 'The registration form (HTML)', params: eventParams, querystring: formQuery } }, async (request, reply) => {
    const outcome = await deps.registrations.form(request.params.eventId);
    const language = pageLanguage(request, 'event' in outcome ? outcome.event : undefined, request.query.lang);
    if (outcome.kind !== 'open') return unavailable(p, reply, language, outcome);
    return sendPage(reply, 200, language, renderRegistrationPage({ language, t: p.t(language), event: outcome.event, action: formPath(outcome.event.id) }));
  });

  app.post('/e/:eventId/register', { schema: { tags: ['registration'], summary: 'Registers (form-encoded); 303 to "check your inbox" for every address', params: eventParams } }, async (request, reply) => {
    const { eventId } = request.params;
    const asked = (request.body as Record<string, unknown> | undefined)?.language;
    const parsed = parseRegistrationForm(request.body, pageLanguage(request, undefined, asked));
    if (!parsed.ok) {
      const available = await deps.registrations.form(eventId);
      const language = pageLanguage(request, 'event' in available ? available.event : undefined, asked);
      if (available.kind !== 'open') return unavailable(p, reply, language, available);
      const t = p.t(language);
      const errors = parsed.errors.map((e) => ({ field: e.field, message: t(e.key) }));
      return sendPage(reply, 400, language, renderRegistrationPage({ language, t, event: available.event, action: formPath(eventId), values: parsed.values, errors }));
    }
    const { form } = parsed;
    const outcome = await deps.registrations.register(
      eventId,
      {
        name: form.name,
        email: form.email,
        language: form.language,
        ...(form.organisation ? { organisation: form.organisation } : {}),
        // The consent is recorded in the words of the form's language, the one the person chose and read.
        consentText: (event) => consentFor(form.language, event),
        ...(form.website ? { trap: form.website } : {}),
      },
      { ip: request.ip },
    );
    switch (outcome.kind) {
      case 'accepted':
        return reply.code(303).header('location', `${formPath(eventId)}/sent?lang=${form.language}`).header('cache-control', 'no-store').send();
      case 'rate-limited':
        reply.header('retry-after', String(outcome.retryAfterSeconds));
        return p.message(reply, 429, form.language, (tt) => ({
          event: outcome.event,
          title: tt('registration.tooManyTitle'),
          paragraphs: [tt('registration.tooManyText', { minutes: Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60)) })],
        }));
      default:
        return unavailable(p, reply, form.language, outcome);
    }
  });

  app.get('/e/:eventId/register/sent', { schema: { tags: ['registration'], summary: '"Check your inbox" (HTML)', params: eventParams, querystring: formQuery } }, async (request, reply) => {
    const outcome = await deps.registrations.form(request.params.eventId);
    const language = pageLanguage(request, 'event' in outcome ? outcome.event : undefined, request.query.lang);
    // Closed meanwhile still says "check your inbox": the registration was accepted before.
    if (outcome.kind === 'unknown-event') return unavailable(p, reply, language, outcome);
    return p.message(reply, 200, language, (t) => ({ event: outcome.event, title: t('registration.sentTitle'), paragraphs: [t('registration.sentText'), t('registration.sentSpam')] }));
  });

  const secureCookies = deps.publicBaseUrl.startsWith('https:');
  await confirmRoutes(app, { registrations: deps.registrations, pages: p, secureCookies, formPath });
  await cancelRoutes(app, { access: deps.access, participants: deps.participants, pages: p, translations: deps.translations, secureCookies });
};
