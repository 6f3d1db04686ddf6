import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Translations } from '../../i18n/i18n.js';
import { FALLBACK_LANGUAGE, pickLanguage } from '../../i18n/languages.js';
import { CERTIFICATES_AFTER_LAST_END_MS, lastSessionEnd } from '../../services/attendance-schedule.js';
import type { ReportOutcome } from '../../services/attendance-service.js';
import type { ParticipantAccess } from '../../services/participant-access.js';
import type { AttendanceHttpDeps } from '../attendance-http-deps.js';
import { renderAttendancePage, renderNoCertificate, renderVerifyNotFound, renderVerifyPage, type AttendancePageModel } from './views/certificate-pages.js';
import { sendDenied } from './refusal-pages.js';

export interface CertificateRoutesDeps {
  access: ParticipantAccess;
  attendance: Pick<AttendanceHttpDeps, 'attendance' | 'certificates'>;
  translations: Translations;
  clock: Clock;
  publicBaseUrl: string;
}

const tokenParams = z.object({ token: z.string().min(1).max(512) });
const codeParams = z.object({ code: z.string().min(1).max(64) });
const html = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

/**
 * A whole event's report is read for one participant's page; after an event many open theirs at once, so one
 * report per event and process serves them for a minute.
 */
const REPORT_CACHE_MS = 60_000;

/** `{links.page}/certificate.pdf`, `{links.page}/attendance` and the public `GET /verify/{code}`. */
export const certificateRoutes: FastifyPluginAsyncZod<CertificateRoutesDeps> = async (app, deps) => {
  const reports = new Map<string, { at: number; report: Promise<ReportOutcome> }>();
  const reportOf = (eventId: string) => {
    const now = deps.clock.now().getTime();
    const hit = reports.get(eventId);
    if (hit && now - hit.at < REPORT_CACHE_MS && now >= hit.at) return hit.report;
    const report = deps.attendance.attendance.report(eventId);
    reports.set(eventId, { at: now, report });
    report.catch(() => reports.delete(eventId));
    return report;
  };

  app.get('/p/:token/certificate.pdf', { schema: { tags: ['participant'], summary: 'The certificate of attendance (PDF), or a page saying why there is none', params: tokenParams } }, async (request, reply) => {
    const access = await deps.access.resolve(request.params.token);
    if (!access.ok) return sendDenied(request, reply, access, deps.translations);
    const outcome = await deps.attendance.certificates.pdfFor(access.event.stored, access.participant);
    if (outcome.kind === 'pdf') {
      return reply
        .headers({ 'content-type': 'application/pdf', 'cache-control': 'no-store', 'content-disposition': 'inline; filename="certificate.pdf"' })
        .send(outcome.pdf);
    }
    const t = deps.translations.translator(outcome.language);
    const [title, text, status] =
      outcome.reason === 'no-certificates'
        ? [t('attendance.noCertificateTitle'), t('attendance.noCertificates'), 404]
        : outcome.reason === 'not-yet'
          ? [t('attendance.notYetTitle'), t('attendance.pending'), 404]
          : [t('attendance.noCertificateTitle'), t('attendance.notEligible', { percent: outcome.minimumPercent ?? 0 }), 403];
    return reply
      .code(status)
      .headers(html)
      .send(renderNoCertificate({ title, text, language: outcome.language, attendanceUrl: `/p/${access.token}/attendance`, back: t('attendance.heading') }));
  });

  app.get('/p/:token/attendance', { schema: { tags: ['participant'], summary: "The participant's attendance per session and their certificate (HTML)", params: tokenParams } }, async (request, reply) => {
    const access = await deps.access.resolve(request.params.token);
    if (!access.ok) return sendDenied(request, reply, access, deps.translations);
    const { stored } = access.event;
    const language = pickLanguage(access.participant.language, stored.programme.language);
    const outcome = await reportOf(stored.programme.id);
    if (outcome.kind === 'unknown-event') return sendDenied(request, reply, { ok: false, reason: 'unknown' }, deps.translations);
    const row = outcome.report.participants.find((p) => p.id === access.participant.id);
    const settings = stored.programme.certificate;
    const over = deps.clock.now().getTime() >= lastSessionEnd(stored) + CERTIFICATES_AFTER_LAST_END_MS;
    const certificate: AttendancePageModel['certificate'] = !settings
      ? { state: 'none' }
      : row?.certificate.url
        ? { state: 'issued', pdfUrl: `/p/${access.token}/certificate.pdf` }
        : over
          ? { state: 'not-eligible', percent: settings.minimumPercent }
          : { state: 'pending' };
    const model: AttendancePageModel = {
      language,
      eventTitle: stored.programme.title,
      pageUrl: `${deps.publicBaseUrl}/p/${access.token}`,
      row,
      requiredMinutes: outcome.report.requiredMinutes,
      sessions: outcome.report.sessions,
      certificate,
    };
    return reply.headers(html).send(renderAttendancePage(model, deps.translations.translator(language)));
  });

  app.get('/verify/:code', { schema: { tags: ['participant'], summary: "Public confirmation of a certificate: name, event, dates and hours (HTML)", params: codeParams } }, async (request, reply) => {
    const verified = await deps.attendance.certificates.verify(request.params.code);
    if (!verified) return reply.code(404).headers(html).send(renderVerifyNotFound(deps.translations.translator(FALLBACK_LANGUAGE), FALLBACK_LANGUAGE));
    return reply.headers(html).send(renderVerifyPage(verified, deps.translations.translator(verified.language)));
  });
};
