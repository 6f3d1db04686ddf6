import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Translations } from '../../i18n/i18n.js';
import { isSupportedLanguage, languageFromAcceptLanguage, pickLanguage, type Language } from '../../i18n/languages.js';
import type { RegistrationEvent } from '../../services/registration-service.js';
import { renderRegistrationMessage, type RegistrationMessage } from './views/registration-messages.js';

const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

/**
 * The language of a page nobody has chosen one for yet: the one asked for (a `lang` query or the form's
 * field), else the browser's, else the event's.
 */
export function pageLanguage(request: FastifyRequest, event: Pick<RegistrationEvent, 'language'> | undefined, asked?: unknown): Language {
  if (typeof asked === 'string' && isSupportedLanguage(asked)) return asked;
  return languageFromAcceptLanguage(request.headers['accept-language']) ?? pickLanguage(undefined, event?.language);
}

export function sendPage(reply: FastifyReply, status: number, language: Language, html: string): FastifyReply {
  return reply.code(status).headers(HTML).header('content-language', language).send(html);
}

export type MessageSpec = Omit<RegistrationMessage, 't' | 'language'>;

export function pages(translations: Translations) {
  return {
    t: (language: Language) => translations.translator(language),
    message(reply: FastifyReply, status: number, language: Language, spec: (t: ReturnType<Translations['translator']>) => MessageSpec): FastifyReply {
      const t = translations.translator(language);
      return sendPage(reply, status, language, renderRegistrationMessage({ ...spec(t), t, language }));
    },
  };
}
export type Pages = ReturnType<typeof pages>;

// Event ids are checked by looking them up: a malformed one is an unknown event (an HTML 404), not a JSON 400.
export const eventParams = z.object({ eventId: z.string().min(1).max(200) });

/** 404 for an event we do not know, 410 once its registration is closed. */
export function unavailable(p: Pages, reply: FastifyReply, language: Language, outcome: { kind: 'unknown-event' } | { kind: 'closed'; event: RegistrationEvent }): FastifyReply {
  if (outcome.kind === 'unknown-event') return p.message(reply, 404, language, (t) => ({ title: t('registration.notFoundTitle'), paragraphs: [t('registration.notFoundText')] }));
  return p.message(reply, 410, language, (t) => ({ event: outcome.event, title: t('registration.closedTitle'), paragraphs: [t('registration.closedText', { event: outcome.event.title })] }));
}
