import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageKey } from '../../i18n/catalogue.js';
import type { Translations } from '../../i18n/i18n.js';
import { FALLBACK_LANGUAGE, languageFromAcceptLanguage, type Language } from '../../i18n/languages.js';
import type { JoinOutcome } from '../../services/join-service.js';
import type { AccessRefusal, Denied } from '../../services/participant-access.js';
import { renderMessagePage, type MessagePageInput } from './views/message-page.js';

export const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } as const;

// A personal Zoom link usually exists within seconds of the registration: check again soon.
const PENDING_REFRESH_SECONDS = 20;
// A provider that did not answer is given a while before the page (and a well-behaved client) asks again.
const UNAVAILABLE_RETRY_SECONDS = 30;

const ACCESS: Readonly<Record<AccessRefusal, { status: 403 | 404 | 410; title: MessageKey; text: MessageKey }>> = {
  'retired-key': { status: 410, title: 'message.retiredTitle', text: 'message.retiredText' },
  invalid: { status: 403, title: 'message.invalidTitle', text: 'message.invalidText' },
  revoked: { status: 410, title: 'message.revokedTitle', text: 'message.revokedText' },
  unknown: { status: 404, title: 'message.unknownTitle', text: 'message.unknownText' },
};

const PROVIDER_NAMES = { bbb: 'BigBlueButton', zoom: 'Zoom' } as const;

/** A message page as the HTTP layer answers it (a refusal, or the page after leaving a room): status, Retry-After, page. */
export interface MessageReply {
  status: number;
  retryAfterSeconds?: number;
  page: MessagePageInput;
}

/**
 * The language of a page whose link told us nothing about its reader (forged, withdrawn, unknown): the
 * browser's, else English. A valid link speaks the participant's language instead.
 */
export function browserLanguage(request: FastifyRequest): Language {
  return languageFromAcceptLanguage(request.headers['accept-language']) ?? FALLBACK_LANGUAGE;
}

export function accessRefusalPage(reason: AccessRefusal, translations: Translations, language: Language): MessageReply {
  const t = translations.translator(language);
  const { status, title, text } = ACCESS[reason];
  return { status, page: { language, t, title: t(title), message: t(text) } };
}

export function joinRefusalPage(outcome: Extract<JoinOutcome, { kind: 'refused' }>, translations: Translations, fallbackLanguage: Language, pageUrl: (token: string) => string): MessageReply {
  if (outcome.reason === 'denied') return accessRefusalPage(outcome.access, translations, fallbackLanguage);
  const language = outcome.audience?.language ?? fallbackLanguage;
  const t = translations.translator(language);
  const base = { language, t, ...(outcome.audience ? { pageUrl: pageUrl(outcome.audience.token) } : {}) };
  switch (outcome.reason) {
    case 'not-found':
      return { status: 404, page: { ...base, title: t('message.notFoundTitle'), message: t('message.notFoundText') } };
    case 'too-early':
      return {
        status: 403,
        page: {
          ...base,
          title: t('message.tooEarlyTitle', { title: outcome.sessionTitle }),
          message: t('message.tooEarlyText', { minutes: outcome.opensMinutesBefore }),
          opensAt: { iso: outcome.opensAt.toISOString(), timezone: outcome.timezone },
        },
      };
    case 'ended':
      return { status: 410, page: { ...base, title: t('message.endedTitle', { title: outcome.sessionTitle }), message: t('message.endedText') } };
    case 'pending':
      return {
        status: 409,
        page: { ...base, title: t('message.pendingTitle'), message: t('message.pendingText', { seconds: PENDING_REFRESH_SECONDS }), refreshSeconds: PENDING_REFRESH_SECONDS },
      };
    case 'unavailable':
      return {
        status: 503,
        retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS,
        page: {
          ...base,
          title: t('message.unavailableTitle', { provider: PROVIDER_NAMES[outcome.provider] }),
          message: t('message.unavailableText'),
          refreshSeconds: UNAVAILABLE_RETRY_SECONDS,
        },
      };
  }
}

export function sendMessagePage(reply: FastifyReply, answer: MessageReply): FastifyReply {
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  return reply.code(answer.status).headers(HTML_HEADERS).header('content-language', answer.page.language).send(renderMessagePage(answer.page));
}

/** The answer to a link that lets nobody in, on every route that takes a personal link. */
export function sendDenied(request: FastifyRequest, reply: FastifyReply, denied: Denied, translations: Translations): FastifyReply {
  return sendMessagePage(reply, accessRefusalPage(denied.reason, translations, browserLanguage(request)));
}
