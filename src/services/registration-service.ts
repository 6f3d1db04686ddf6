import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import { verifyConfirmToken } from '../domain/confirm-token.js';
import { participantLinks } from '../domain/links.js';
import { signLink, type SigningKey } from '../domain/link-token.js';
import { normaliseEmail } from '../domain/participant.js';
import { CONFIRMATION_VALID_MS, consentVersion, registrationState, type PendingRegistration } from '../domain/registration.js';
import { pickLanguage, type Language } from '../i18n/languages.js';
import type { Logger } from '../logger.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import { newParticipantId, type ParticipantStore } from '../store/participant-store.js';
import type { RateLimit, RateLimiter } from '../store/rate-limit-store.js';
import { newRegistrationId, type RegistrationStore } from '../store/registration-store.js';
import type { Admissions } from './admissions.js';
import type { MessageService } from './message-service.js';

/** What the registration pages show of an event. */
export interface RegistrationEvent {
  id: string;
  title: string;
  timezone: string;
  /** The programme's language: the pages' when neither the form nor the browser names one we speak. */
  language: Language;
  firstDate: string;
  lastDate: string;
  hasAcademy: boolean;
  privacyUrl?: string;
  /** ISO instant. */
  closesAt?: string;
}

export interface RegistrationSubmission {
  name: string;
  email: string;
  language: Language;
  organisation?: string;
  /** The consent sentence exactly as the form showed it for this event; recorded with a version naming it. */
  consentText: (event: RegistrationEvent) => string;
  /** The honeypot field: people leave it empty. */
  trap?: string;
}

type Unavailable = { kind: 'unknown-event' } | { kind: 'closed'; event: RegistrationEvent };
export type FormOutcome = { kind: 'open'; event: RegistrationEvent } | Unavailable;
export type RegisterOutcome = { kind: 'accepted'; event: RegistrationEvent } | { kind: 'rate-limited'; event: RegistrationEvent; retryAfterSeconds: number } | Unavailable;
type LinkProblem = { kind: 'invalid'; event?: RegistrationEvent } | { kind: 'expired'; event: RegistrationEvent };
export type ConfirmPageOutcome = { kind: 'ready'; event: RegistrationEvent; name: string; language: Language } | LinkProblem | Unavailable;
export type ConfirmOutcome =
  | { kind: 'registered'; pageUrl: string; language: Language }
  | { kind: 'waitlisted'; event: RegistrationEvent; position: number; language: Language }
  | LinkProblem
  | Unavailable;

export interface RegistrationService {
  form(eventId: string): Promise<FormOutcome>;
  /** The same `accepted` for a new, a pending, a waitlisted and a registered address: nobody learns which it was. */
  register(eventId: string, submission: RegistrationSubmission, client: { ip: string }): Promise<RegisterOutcome>;
  /** What the confirmation link's page shows; changes nothing (link scanners fetch it). */
  confirmation(eventId: string, token: string): Promise<ConfirmPageOutcome>;
  confirm(eventId: string, token: string): Promise<ConfirmOutcome>;
  /** This process stored a new programme: its next answer reads it (other processes within EVENT_CACHE_MS). */
  programmeChanged(eventId: string): void;
}

/**
 * The form is public and may be hit hard; reading and re-validating the programme on every POST was most of its
 * cost. Kept this long per process (monotonic time), dropped at once when this process stores a change.
 */
export const EVENT_CACHE_MS = 1_000;

export interface RegistrationLimits {
  /** Form submissions per address and event: each sends a mail to that address. */
  perAddress: RateLimit;
  /** Form submissions per client IP, whatever the address. */
  perClient: RateLimit;
}

export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = {
  perAddress: { max: 1, windowMs: 10 * 60_000 },
  perClient: { max: 20, windowMs: 10 * 60_000 },
};

export interface RegistrationServiceDeps {
  events: Pick<EventStore, 'get'>;
  registrations: Pick<RegistrationStore, 'submit' | 'pending' | 'nextNoticeNumber'>;
  participants: Pick<ParticipantStore, 'findByEmail' | 'get'>;
  admissions: Pick<Admissions, 'admit'>;
  messages: Pick<MessageService, 'sendConfirmation' | 'resendInvitation'>;
  limiter: RateLimiter;
  limits: RegistrationLimits;
  signingKeys: readonly SigningKey[];
  publicBaseUrl: string;
  clock: Clock;
  logger: Logger;
}

function eventOf(stored: StoredEvent, closesAt: Date | undefined): RegistrationEvent {
  const { programme } = stored;
  const dates = programme.days.map((d) => d.date).sort();
  return {
    id: programme.id,
    title: programme.title,
    timezone: programme.timezone,
    language: pickLanguage(undefined, programme.language),
    firstDate: dates[0] ?? '',
    lastDate: dates[dates.length - 1] ?? '',
    hasAcademy: programme.days.some((d) => d.kind === 'academy'),
    ...(programme.registration?.privacyUrl ? { privacyUrl: programme.registration.privacyUrl } : {}),
    ...(closesAt ? { closesAt: closesAt.toISOString() } : {}),
  };
}

export function createRegistrationService(deps: RegistrationServiceDeps): RegistrationService {
  const { registrations, clock } = deps;
  const signingKey = deps.signingKeys[0];
  if (!signingKey) throw new Error('no signing key');

  const cached = new Map<string, { at: number; stored: StoredEvent | undefined }>();
  async function getEvent(eventId: string): Promise<StoredEvent | undefined> {
    const hit = cached.get(eventId);
    if (hit && performance.now() - hit.at < EVENT_CACHE_MS) return hit.stored;
    const stored = await deps.events.get(eventId);
    // Unknown ids are not kept: any string can be asked for, and an event created a moment later must be found.
    if (stored) cached.set(eventId, { at: performance.now(), stored });
    else cached.delete(eventId);
    return stored;
  }

  async function load(eventId: string): Promise<{ open: true; event: RegistrationEvent; stored: StoredEvent } | Unavailable> {
    const stored = await getEvent(eventId);
    if (!stored) return { kind: 'unknown-event' };
    const state = registrationState(stored.programme.registration, stored.programme.timezone, clock.now());
    const event = eventOf(stored, state.open ? state.closesAt : undefined);
    return state.open ? { open: true, event, stored } : { kind: 'closed', event };
  }

  /** The pending registration a confirmation link names. Confirming stays possible after `closesAt` (they registered in time), not once closed. */
  async function resolveLink(eventId: string, token: string): Promise<{ pending: PendingRegistration; event: RegistrationEvent; stored: StoredEvent } | LinkProblem | Unavailable> {
    const stored = await getEvent(eventId);
    if (!stored) return { kind: 'unknown-event' };
    const event = eventOf(stored, undefined);
    const verified = verifyConfirmToken(token, deps.signingKeys, clock.now());
    if (!verified.ok) return verified.reason === 'expired' ? { kind: 'expired', event } : { kind: 'invalid', event };
    if (verified.subject.eventId !== eventId) return { kind: 'invalid', event };
    if (!stored.programme.registration?.open) return { kind: 'closed', event };
    const pending = await registrations.pending(eventId, verified.subject.registrationId);
    // Signed by us but no longer stored: it outlived its record (or was erased), which reads as expired.
    if (!pending) return { kind: 'expired', event };
    return { pending, event, stored };
  }

  const pageUrl = (eventId: string, participantId: string) => participantLinks(deps.publicBaseUrl, signLink({ eventId, participantId }, signingKey), []).page;

  return {
    programmeChanged(eventId) {
      cached.delete(eventId);
    },
    async form(eventId) {
      const loaded = await load(eventId);
      return 'open' in loaded ? { kind: 'open', event: loaded.event } : loaded;
    },

    async register(eventId, submission, client) {
      const loaded = await load(eventId);
      if (!('open' in loaded)) return loaded;
      const { event } = loaded;
      const limits = [
        { scope: 'register-client', subject: client.ip, limit: deps.limits.perClient },
        { scope: 'register-address', subject: `${eventId}\n${normaliseEmail(submission.email)}`, limit: deps.limits.perAddress },
      ];
      // Counted first, so a bot filling every field spends its budget like anyone else; then nothing happens.
      if (submission.trap) {
        const decision = await deps.limiter.hitEach(limits);
        if (!decision.allowed) return { kind: 'rate-limited', event, retryAfterSeconds: decision.retryAfterSeconds };
        deps.logger.info({ eventId }, 'registration honeypot filled: ignored');
        return { kind: 'accepted', event };
      }
      const now = clock.now();
      const privacyUrl = loaded.stored.programme.registration?.privacyUrl;
      const text = submission.consentText(event);
      const pending: PendingRegistration = {
        id: newRegistrationId(),
        eventId,
        name: submission.name,
        email: submission.email.trim(),
        language: submission.language,
        ...(submission.organisation ? { organisation: submission.organisation } : {}),
        consent: {
          version: consentVersion(submission.language, text, privacyUrl),
          language: submission.language,
          text,
          ...(privacyUrl ? { privacyUrl } : {}),
          at: now.toISOString(),
        },
        registeredAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + CONFIRMATION_VALID_MS).toISOString(),
      };
      // One step counts the limits, looks the address up and stores the pending registration (only for an address
      // neither registered nor waiting), kept an hour past the link's expiry so a link opened at the last minute
      // still finds its record.
      const ttlSeconds = CONFIRMATION_VALID_MS / 1000 + 3600;
      let stored = await registrations.submit(pending, ttlSeconds, { limits });
      if (stored.kind === 'rate-limited') return { kind: 'rate-limited', event, retryAfterSeconds: stored.retryAfterSeconds };
      if (stored.kind === 'known') {
        const known = await deps.participants.get(eventId, stored.participantId);
        if (known) {
          await deps.messages.resendInvitation(eventId, known.id);
          return { kind: 'accepted', event };
        }
        // The address maps to an id with no live participant (an import between claiming it and writing it): as
        // before, it counts as not registered.
        stored = await registrations.submit(pending, ttlSeconds, { ignoreKnown: true });
      }
      if (stored.kind === 'waiting') {
        const n = await registrations.nextNoticeNumber(eventId, stored.entry.participantId);
        await deps.messages.sendConfirmation(eventId, stored.entry.participantId, { n, step: 'waitlisted' });
        return { kind: 'accepted', event };
      }
      if (stored.kind !== 'saved') throw new Error(`registration for ${eventId} not stored (${stored.kind})`);
      await deps.messages.sendConfirmation(eventId, pending.id, { n: 1, step: 'confirm' });
      deps.logger.info({ eventId, registrationId: pending.id }, 'registration pending confirmation');
      return { kind: 'accepted', event };
    },

    async confirmation(eventId, token) {
      const link = await resolveLink(eventId, token);
      if (!('pending' in link)) return link;
      return { kind: 'ready', event: link.event, name: link.pending.name, language: link.pending.language };
    },

    async confirm(eventId, token) {
      const link = await resolveLink(eventId, token);
      if (!('pending' in link)) return link;
      const { pending, event, stored } = link;
      const known = await deps.participants.findByEmail(eventId, pending.email);
      if (known) return { kind: 'registered', pageUrl: pageUrl(eventId, known.id), language: pending.language };
      const { id: registrationId, expiresAt: _expiresAt, ...registrant } = pending;
      const admission = await deps.admissions.admit(
        { ...registrant, registrationId, participantId: newParticipantId(), confirmedAt: clock.now().toISOString() },
        stored.programme.registration?.capacity,
      );
      if (admission.kind === 'waitlisted') return { kind: 'waitlisted', event, position: admission.position, language: pending.language };
      return { kind: 'registered', pageUrl: pageUrl(eventId, admission.participantId), language: pending.language };
    },
  };
}
