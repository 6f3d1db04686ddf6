import Fastify, { type FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { participantAssets } from '../../src/http/participant/participant-assets.js';
import type { PageSession, ParticipantPageModel } from '../../src/http/participant/views/page-model.js';
import { renderMessagePage, type MessagePageInput } from '../../src/http/participant/views/message-page.js';
import { renderParticipantPage } from '../../src/http/participant/views/participant-page.js';
import { registerSecurityHeaders } from '../../src/http/security-headers.js';
import { createTranslations } from '../../src/i18n/i18n.js';
import { isSupportedLanguage, type Language } from '../../src/i18n/languages.js';

export const EVENT_ZONE = 'Europe/Vienna';
const OPENS_MINUTES_BEFORE = 15;

interface SessionSpec {
  id: string;
  title: string;
  description?: string;
  startsAt: DateTime;
  minutes: number;
}

function pageSession(spec: SessionSpec, now: DateTime): PageSession {
  const start = spec.startsAt.toUTC();
  const end = start.plus({ minutes: spec.minutes });
  const opens = start.minus({ minutes: OPENS_MINUTES_BEFORE });
  const state = now < opens ? 'upcoming' : now < end ? 'open' : 'ended';
  return {
    id: spec.id,
    title: spec.title,
    ...(spec.description ? { description: spec.description } : {}),
    startsAt: start.toISO()!,
    endsAt: end.toISO()!,
    localStart: start.setZone(EVENT_ZONE).toFormat('HH:mm'),
    localEnd: end.setZone(EVENT_ZONE).toFormat('HH:mm'),
    joinOpensAt: opens.toISO()!,
    joinUrl: `https://events.example.org/j/tok-123/${spec.id}`,
    state,
  };
}

function at(date: string, time: string): DateTime {
  return DateTime.fromISO(`${date}T${time}`, { zone: EVENT_ZONE });
}

/**
 * Two academy days and the conference around `now` (Tuesday 6 February 2024, 10:10 in Vienna unless given):
 * one session ended, one open, one opening `opensInSeconds` after `now`, and upcoming conference sessions.
 */
export function buildSampleModel(
  options: {
    now?: string;
    opensInSeconds?: number;
    /** Adds an open "Drop-in clinic" on day 2 that ends this many seconds after `now`. */
    closesInSeconds?: number;
    name?: string;
    role?: ParticipantPageModel['participant']['role'];
    language?: Language;
    remindersOn?: boolean;
  } = {},
): ParticipantPageModel {
  const now = DateTime.fromISO(options.now ?? '2024-02-06T09:10:00Z', { zone: 'utc' });
  const soon = now.plus({ seconds: options.opensInSeconds ?? 2, minutes: OPENS_MINUTES_BEFORE });
  const closing =
    options.closesInSeconds === undefined
      ? []
      : [pageSession({ id: 'drop-in', title: 'Drop-in clinic', startsAt: now.minus({ minutes: 30 }).plus({ seconds: options.closesInSeconds }), minutes: 30 }, now)];
  return {
    language: options.language ?? 'en',
    event: { title: 'Human Rights Go Local – What Works 2024', timezone: EVENT_ZONE },
    participant: { name: options.name ?? 'Ana Müller', role: options.role ?? 'participant' },
    now: now.toISO()!,
    calendarUrl: 'https://events.example.org/p/tok-123/calendar.ics',
    reminders: { on: options.remindersOn ?? true, stopAction: '/p/tok-123/unsubscribe', resumeAction: '/p/tok-123/reminders' },
    days: [
      {
        date: '2024-02-05',
        title: 'Academy – Day 1',
        kind: 'academy',
        sessions: [pageSession({ id: 'opening', title: 'Opening plenary', startsAt: at('2024-02-05', '09:00'), minutes: 90 }, now)],
      },
      {
        date: '2024-02-06',
        title: 'Academy – Day 2',
        kind: 'academy',
        sessions: [
          pageSession({ id: 'workshop-a', title: 'Workshop A: Action plans', description: 'Drafting goals & indicators', startsAt: at('2024-02-06', '10:00'), minutes: 90 }, now),
          pageSession({ id: 'workshop-b', title: 'Workshop B: Monitoring', startsAt: soon, minutes: 60 }, now),
          ...closing,
        ],
      },
      {
        date: '2024-02-08',
        title: 'Conference',
        kind: 'conference',
        interpretationLanguages: [
          { code: 'de', name: 'German' },
          { code: 'en', name: 'English' },
          { code: 'fr', name: 'French' },
          { code: 'es', name: 'Spanish' },
        ],
        sessions: [pageSession({ id: 'conference', title: 'Handing over the Outcome Document', startsAt: at('2024-02-08', '14:00'), minutes: 180 }, now)],
      },
    ],
  };
}

export interface PageHarness {
  app: FastifyInstance;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Serves the real renderers behind the real headers and assets plugin at /p/<name>; models are rebuilt per
 * request.
 */
export async function startPageHarness(
  models: { pages: Record<string, () => ParticipantPageModel>; message?: () => Omit<MessagePageInput, 't' | 'language'> & { language?: Language } },
): Promise<PageHarness> {
  const app = Fastify({ logger: false });
  const translations = createTranslations();
  await registerSecurityHeaders(app);
  await app.register(participantAssets);
  for (const [name, build] of Object.entries(models.pages)) {
    app.get(`/p/${name}`, async (_request, reply) => {
      const model = build();
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderParticipantPage(model, translations.translator(model.language)));
    });
  }
  const message = models.message;
  const withTranslator = (input: Omit<MessagePageInput, 't' | 'language'> & { language?: Language }): MessagePageInput => {
    const language = input.language ?? 'en';
    return { ...input, language, t: translations.translator(language) };
  };
  if (message) {
    // `?lang=de` renders it in that language.
    app.get<{ Querystring: { lang?: string } }>('/j/tok-123/early', async (request, reply) => {
      const lang = request.query.lang;
      const input = { ...message(), ...(lang && isSupportedLanguage(lang) ? { language: lang } : {}) };
      return reply.code(403).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderMessagePage(withTranslator(input)));
    });
  }
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, baseUrl: address, close: () => app.close() };
}
