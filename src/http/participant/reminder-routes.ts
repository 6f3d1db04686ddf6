import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Translate, Translations } from '../../i18n/i18n.js';
import { pickLanguage, type Language } from '../../i18n/languages.js';
import type { MessageService } from '../../services/message-service.js';
import type { Denied, ParticipantAccess } from '../../services/participant-access.js';
import { escapeHtml, renderDocument, safeHref } from './views/participant-page.js';
import { sendDenied } from './refusal-pages.js';

export interface ReminderRoutesDeps {
  access: ParticipantAccess;
  messages: Pick<MessageService, 'setReminders'>;
  translations: Translations;
  publicBaseUrl: string;
}

const tokenParams = z.object({ token: z.string().min(1).max(512) });
const html = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

/**
 * `{links.page}/unsubscribe`: RFC 8058 one-click unsubscribe for reminders. Mail clients POST
 * `List-Unsubscribe=One-Click` there; a person who follows the link from the mail gets a page with a button
 * (a GET changes nothing, since link scanners and previews fetch every link). `…/reminders` turns them back on.
 */
export const reminderRoutes: FastifyPluginAsyncZod<ReminderRoutesDeps> = async (app, deps) => {
  // Forms and one-click clients send application/x-www-form-urlencoded; nothing in the body is needed.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  const page = (r: Resolved, title: string, text: string, form: { action: string; label: string }) =>
    renderDocument({
      title,
      lang: r.language,
      body: `<main id="message" class="message">
<h1>${escapeHtml(title)}</h1>
<p class="message-text">${escapeHtml(text)}</p>
<form method="post" action="${safeHref(form.action)}"><button type="submit" class="join">${escapeHtml(form.label)}</button></form>
<p><a href="${safeHref(r.pageUrl)}">${escapeHtml(r.t('message.backToProgramme'))}</a></p>
</main>`,
    });

  type Resolved = { eventId: string; participantId: string; event: string; language: Language; t: Translate; pageUrl: string; path: string };
  const resolve = async (token: string): Promise<Resolved | { denied: Denied }> => {
    const access = await deps.access.resolve(token);
    if (!access.ok) return { denied: access };
    const { programme } = access.event.stored;
    const language = pickLanguage(access.participant.language, programme.language);
    return {
      eventId: programme.id,
      participantId: access.participant.id,
      event: programme.title,
      language,
      t: deps.translations.translator(language),
      pageUrl: `${deps.publicBaseUrl}/p/${token}`,
      // Forms post to our own origin (CSP form-action 'self'), whatever PUBLIC_BASE_URL says.
      path: `/p/${token}`,
    };
  };

  app.get('/p/:token/unsubscribe', { schema: { tags: ['participant'], summary: 'Asks to confirm turning reminders off (HTML)', params: tokenParams } }, async (request, reply) => {
    const r = await resolve(request.params.token);
    if ('denied' in r) return sendDenied(request, reply, r.denied, deps.translations);
    return reply.headers(html).send(page(r, r.t('page.remindersHeading'), r.t('page.remindersOn'), { action: `${r.path}/unsubscribe`, label: r.t('page.remindersStop') }));
  });

  app.post('/p/:token/unsubscribe', { schema: { tags: ['participant'], summary: 'Turns reminders off (RFC 8058 one-click)', params: tokenParams } }, async (request, reply) => {
    const r = await resolve(request.params.token);
    if ('denied' in r) return sendDenied(request, reply, r.denied, deps.translations);
    await deps.messages.setReminders(r.eventId, r.participantId, false);
    request.log.info({ eventId: r.eventId, participantId: r.participantId }, 'reminders turned off');
    return reply.headers(html).send(page(r, r.t('message.unsubscribedTitle'), r.t('message.unsubscribedText', { event: r.event }), { action: `${r.path}/reminders`, label: r.t('page.remindersResume') }));
  });

  app.post('/p/:token/reminders', { schema: { tags: ['participant'], summary: 'Turns reminders back on', params: tokenParams } }, async (request, reply) => {
    const r = await resolve(request.params.token);
    if ('denied' in r) return sendDenied(request, reply, r.denied, deps.translations);
    await deps.messages.setReminders(r.eventId, r.participantId, true);
    request.log.info({ eventId: r.eventId, participantId: r.participantId }, 'reminders turned on');
    return reply.headers(html).send(page(r, r.t('message.resubscribedTitle'), r.t('message.resubscribedText', { event: r.event }), { action: `${r.path}/unsubscribe`, label: r.t('page.remindersStop') }));
  });
};
