import { certificateTexts, renderCertificatePdf, type CertificateModel } from '../certificates/certificate-pdf.js';
import type { Clock } from '../clock.js';
import { newVerificationCode, normaliseVerificationCode, type CertificateRecord } from '../domain/certificate.js';
import type { Participant } from '../domain/participant.js';
import type { Translations } from '../i18n/i18n.js';
import { pickLanguage, type Language } from '../i18n/languages.js';
import type { CertificateStore } from '../store/certificate-store.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import type { ParticipantStore } from '../store/participant-store.js';
import { CERTIFICATES_AFTER_LAST_END_MS, lastSessionEnd } from './attendance-schedule.js';
import { verifyUrl, type AttendanceService } from './attendance-service.js';

export type IssueOutcome =
  | { kind: 'issued'; created: string[]; updated: number; eligible: number }
  | { kind: 'skipped'; reason: 'unknown event' | 'the programme issues no certificates' };

export type PdfOutcome =
  | { kind: 'pdf'; pdf: Buffer; language: Language }
  | { kind: 'none'; reason: 'no-certificates' | 'not-yet' | 'not-eligible'; language: Language; minimumPercent?: number };

export interface VerifiedCertificate {
  language: Language;
  model: CertificateModel;
  texts: ReturnType<typeof certificateTexts>;
}

export interface CertificateService {
  /** Certificates for everyone eligible now: new ones get a code (and a mail); existing ones keep theirs. */
  issue(eventId: string): Promise<IssueOutcome>;
  pdfFor(event: StoredEvent, participant: Participant): Promise<PdfOutcome>;
  /** The certificate's facts, or undefined for an unknown, withdrawn or malformed code. */
  verify(code: string): Promise<VerifiedCertificate | undefined>;
  revoke(eventId: string, participantId: string): Promise<void>;
}

export interface CertificateServiceDeps {
  events: Pick<EventStore, 'get'>;
  participants: Pick<ParticipantStore, 'lookup'>;
  certificates: CertificateStore;
  attendance: AttendanceService;
  translations: Translations;
  clock: Clock;
  publicBaseUrl: string;
  /** New certificates: their mails are planned (message service). */
  onIssued?: (eventId: string, participantIds: readonly string[]) => Promise<void>;
}

export function createCertificateService(deps: CertificateServiceDeps): CertificateService {
  function modelOf(event: StoredEvent, participant: Participant, record: CertificateRecord): CertificateModel {
    const dates = event.programme.days.map((d) => d.date).sort();
    return {
      language: pickLanguage(participant.language, event.programme.language),
      participantName: participant.name,
      eventTitle: event.programme.title,
      firstDate: dates[0] ?? '',
      lastDate: dates[dates.length - 1] ?? '',
      timezone: event.programme.timezone,
      minutes: record.minutes,
      organizer: event.programme.certificate?.organizer,
      code: record.code,
      verifyUrl: verifyUrl(deps.publicBaseUrl, record.code),
      issuedAt: record.issuedAt,
    };
  }

  return {
    async issue(eventId) {
      const outcome = await deps.attendance.report(eventId);
      if (outcome.kind === 'unknown-event') return { kind: 'skipped', reason: 'unknown event' };
      if (!outcome.event.programme.certificate) return { kind: 'skipped', reason: 'the programme issues no certificates' };
      const now = deps.clock.now();
      const created: string[] = [];
      let updated = 0;
      const eligible = outcome.report.participants.filter((p) => p.certificate.eligible);
      for (const row of eligible) {
        const result = await deps.certificates.issue(eventId, row.id, row.minutes, newVerificationCode(), now);
        if (result.created) created.push(row.id);
        else updated += 1;
      }
      if (created.length > 0) await deps.onIssued?.(eventId, created);
      return { kind: 'issued', created, updated, eligible: eligible.length };
    },
    async pdfFor(event, participant) {
      const language = pickLanguage(participant.language, event.programme.language);
      const settings = event.programme.certificate;
      if (!settings) return { kind: 'none', reason: 'no-certificates', language };
      const record = await deps.certificates.get(event.programme.id, participant.id);
      if (!record) {
        // Until the scheduled issue has run, nobody can be told they fell short.
        const over = deps.clock.now().getTime() >= lastSessionEnd(event) + CERTIFICATES_AFTER_LAST_END_MS;
        return { kind: 'none', reason: over ? 'not-eligible' : 'not-yet', language, minimumPercent: settings.minimumPercent };
      }
      const pdf = await renderCertificatePdf(modelOf(event, participant, record), deps.translations.translator(language));
      return { kind: 'pdf', pdf, language };
    },
    async verify(input) {
      const code = normaliseVerificationCode(input);
      if (!code) return undefined;
      const record = await deps.certificates.byCode(code);
      if (!record) return undefined;
      // A participant removed after the certificate was issued takes it with them, whatever the record says.
      const [participant, event] = await Promise.all([deps.participants.lookup(record.eventId, record.participantId), deps.events.get(record.eventId)]);
      if (!participant || participant === 'revoked' || !event?.programme.certificate) return undefined;
      const model = modelOf(event, participant, record);
      return { language: model.language, model, texts: certificateTexts(model, deps.translations.translator(model.language)) };
    },
    async revoke(eventId, participantId) {
      await deps.certificates.revoke(eventId, participantId);
    },
  };
}
