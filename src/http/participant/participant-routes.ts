import type { FastifyReply, FastifyRequest } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { JoinOutcome, JoinService } from '../../services/join-service.js';
import type { Translations } from '../../i18n/i18n.js';
import { pickLanguage } from '../../i18n/languages.js';
import type { MessageService } from '../../services/message-service.js';
import type { Access, ParticipantAccess } from '../../services/participant-access.js';
import type { Counter } from 'prom-client';
import { buildCalendarModel, buildPageModel } from './build-views.js';
import { renderCalendar } from './views/calendar.js';
import { browserLanguage, HTML_HEADERS, joinRefusalPage, sendDenied, sendMessagePage } from './refusal-pages.js';
import { renderParticipantPage } from './views/participant-page.js';
import { strictSecurityHeaders } from '../security-headers.js';

export interface ParticipantRoutesDeps {
  access: ParticipantAccess;
  joins: JoinService;
  /** The reminders switch on the page. */
  messages: Pick<MessageService, 'remindersOn'>;
  translations: Translations;
  clock: Clock;
  publicBaseUrl: string;
  joinOutcomes: Counter<'provider' | 'outcome'>;
}

const TOKEN_MAX = 512;
const SESSION_ID_MAX = 64;
const tokenParams = z.object({ token: z.string().min(1).max(TOKEN_MAX) });
const joinParams = tokenParams.extend({ sessionId: z.string().min(1).max(SESSION_ID_MAX) });

/**
 * The join route's params are what joinParams says (two strings within its bounds) for every link that can
 * work; those pass with two length checks instead of a zod parse on each of a crowd's requests. Anything
 * else goes to zod, so a rejection is the same 400 with the same issues as on every other route.
 */
const joinParamsValidator: typeof validatorCompiler = (definition) => {
  const zod = validatorCompiler(definition);
  return (params: unknown) => {
    const { token, sessionId } = params as { token?: unknown; sessionId?: unknown };
    const valid =
      typeof token === 'string' && token.length >= 1 && token.length <= TOKEN_MAX && typeof sessionId === 'string' && sessionId.length >= 1 && sessionId.length <= SESSION_ID_MAX;
    // `true` leaves request.params as parsed: zod's copy would hold the same two strings.
    return valid ? true : zod(params);
  };
};
// The join route gets only the redirect headers up front; when it renders a page it adds the strict set.
const strictHeaders = strictSecurityHeaders();

type Granted = Extract<Access, { ok: true }>;

export const participantRoutes: FastifyPluginAsyncZod<ParticipantRoutesDeps> = async (app, deps) => {
  const pageUrl = (token: string) => `${deps.publicBaseUrl}/p/${token}`;

  const languageOf = (access: Granted) => pickLanguage(access.participant.language, access.event.stored.programme.language);

  app.get('/p/:token', { schema: { tags: ['participant'], summary: 'Personal page: agenda and join buttons (HTML)', params: tokenParams } }, async (request, reply) => {
    const access = await deps.access.resolve(request.params.token);
    if (!access.ok) return sendDenied(request, reply, access, deps.translations);
    const language = languageOf(access);
    const remindersOn = await deps.messages.remindersOn(access.event.stored.programme.id, access.participant.id);
    const model = buildPageModel(access.event, access.participant, { token: access.token, publicBaseUrl: deps.publicBaseUrl, now: deps.clock.now(), language, remindersOn });
    return reply.headers(HTML_HEADERS).header('content-language', language).send(renderParticipantPage(model, deps.translations.translator(language)));
  });

  app.get(
    '/p/:token/calendar.ics',
    { schema: { tags: ['participant'], summary: "iCalendar feed of the participant's sessions", params: tokenParams } },
    async (request, reply) => {
      const access = await deps.access.resolve(request.params.token);
      if (!access.ok) return sendDenied(request, reply, access, deps.translations);
      const language = languageOf(access);
      const ics = renderCalendar(buildCalendarModel(access.event, access.participant, access.token, deps.publicBaseUrl, language), deps.translations.translator(language));
      return reply
        .headers({ 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'no-store', 'content-disposition': 'inline; filename="programme.ics"' })
        .send(ics);
    },
  );

  // Label children looked up once per outcome, not by hashing a labels object on every join; nested maps
  // keyed by the label strings themselves, as a joined key would be a new string to hash each time.
  const outcomeCounters = new Map<string, Map<string, Counter.Internal>>();
  const countOutcome = (provider: string, outcome: string) => {
    let byOutcome = outcomeCounters.get(provider);
    if (!byOutcome) outcomeCounters.set(provider, (byOutcome = new Map()));
    let counter = byOutcome.get(outcome);
    if (!counter) byOutcome.set(outcome, (counter = deps.joinOutcomes.labels(provider, outcome)));
    counter.inc();
  };

  const answer = (request: FastifyRequest, reply: FastifyReply, outcome: JoinOutcome): FastifyReply => {
    if (outcome.kind === 'redirect') {
      countOutcome(outcome.provider, 'redirect');
      // Referrer-Policy (no Referer to the provider: the previous page may be a personal link) is already
      // set for this route by security-headers.ts.
      return reply.code(302).header('location', outcome.url).header('cache-control', 'no-store').send();
    }
    countOutcome('none', outcome.reason);
    if (outcome.reason === 'unavailable' && outcome.cause) request.log.warn({ outcome: outcome.reason, cause: outcome.cause }, 'join could not reach the provider');
    reply.headers(strictHeaders);
    return sendMessagePage(reply, joinRefusalPage(outcome, deps.translations, browserLanguage(request), pageUrl));
  };

  app.get(
    '/p/:token/join/:sessionId',
    {
      config: { redirectsOnly: true },
      // Fastify types a route's compiler by the whole route schema, not by the part it compiles.
      validatorCompiler: joinParamsValidator as never,
      schema: { tags: ['participant'], summary: 'Join a session: 302 to the meeting inside the join window, else an HTML page saying why', params: joinParams },
    },
    // Not an async function: a join answered from what this process knows is sent in the same tick.
    (request, reply) => {
      const outcome = deps.joins.join(request.params.token, request.params.sessionId);
      return outcome instanceof Promise ? outcome.then((settled) => answer(request, reply, settled)) : answer(request, reply, outcome);
    },
  );

  app.get(
    '/left/:eventId',
    { schema: { tags: ['participant'], summary: 'Where BigBlueButton sends people who leave a room', params: z.object({ eventId: z.string().max(64) }) } },
    // BigBlueButton sends everyone to the same address, so the page speaks the browser's language.
    async (request, reply) => {
      const language = browserLanguage(request);
      const t = deps.translations.translator(language);
      return sendMessagePage(reply, { status: 200, page: { language, t, title: t('message.leftTitle'), message: t('message.leftText') } });
    },
  );
};
