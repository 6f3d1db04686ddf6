import { describe, expect, it } from 'vitest';
import { signConfirmToken, verifyConfirmToken } from '../../src/domain/confirm-token.js';
import { signLink } from '../../src/domain/link-token.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { consentVersion, registrationState } from '../../src/domain/registration.js';
import { oneDay } from '../helpers/programme-fixtures.js';

const withRegistration = (registration: unknown) => ({ ...oneDay([{ id: 's1', start: '09:00', end: '10:00' }]), registration });
const issues = (input: unknown) => {
  const result = programmeSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('the programme registration field', () => {
  it('is optional and takes open, capacity, closesAt (local) and a privacy notice URL', () => {
    expect(issues(oneDay([{ id: 's1', start: '09:00', end: '10:00' }]))).toEqual([]);
    const parsed = programmeSchema.parse(withRegistration({ open: true, capacity: 120, closesAt: '2024-02-01T18:00', privacyUrl: 'https://example.org/privacy' }));
    expect(parsed.registration).toEqual({ open: true, capacity: 120, closesAt: '2024-02-01T18:00', privacyUrl: 'https://example.org/privacy' });
  });

  it('names what is wrong: unknown fields, a bad capacity, a malformed or skipped closesAt', () => {
    expect(issues(withRegistration({ open: true, seats: 3 })).map((i) => i.path)).toEqual(['registration']);
    expect(issues(withRegistration({ open: true, capacity: 0 })).map((i) => i.path)).toEqual(['registration.capacity']);
    expect(issues(withRegistration({ open: true, closesAt: '2024-02-01 18:00' })).map((i) => i.path)).toEqual(['registration.closesAt']);
    expect(issues(withRegistration({ open: true, privacyUrl: 'javascript:alert(1)' })).map((i) => i.path)).toEqual(['registration.privacyUrl']);
    // 02:30 on 31 March 2024 does not exist in Vienna: the clocks spring from 02:00 to 03:00.
    expect(issues(withRegistration({ open: true, closesAt: '2024-03-31T02:30' }))).toEqual([
      { path: 'registration.closesAt', message: '02:30 does not exist on 2024-03-31 in Europe/Vienna: the clocks spring forward over it' },
    ]);
  });
});

describe('registrationState', () => {
  const zone = 'Europe/Vienna';
  it('is closed without the field, when not open, and from closesAt (local time) on', () => {
    const now = new Date('2024-02-01T16:59:59Z');
    expect(registrationState(undefined, zone, now)).toEqual({ open: false, reason: 'not-offered' });
    expect(registrationState({ open: false }, zone, now)).toEqual({ open: false, reason: 'closed' });
    expect(registrationState({ open: true }, zone, now)).toEqual({ open: true });
    // 18:00 in Vienna in February is 17:00Z.
    expect(registrationState({ open: true, closesAt: '2024-02-01T18:00' }, zone, now)).toEqual({ open: true, closesAt: new Date('2024-02-01T17:00:00Z') });
    expect(registrationState({ open: true, closesAt: '2024-02-01T18:00' }, zone, new Date('2024-02-01T17:00:00Z'))).toEqual({ open: false, reason: 'deadline-passed' });
    // At fall-back 02:30 happens twice; the form closes the first time.
    expect(registrationState({ open: true, closesAt: '2024-10-27T02:30' }, zone, new Date('2024-10-27T00:30:00Z'))).toEqual({ open: false, reason: 'deadline-passed' });
  });
});

describe('confirmation tokens', () => {
  const key = { id: 'k1', secret: 'a-secret-of-at-least-32-characters-long' };
  const subject = { eventId: 'hrgl-2024', registrationId: 'r-abcdefghijklmnop', expiresAt: new Date('2024-02-03T10:00:00Z') };
  const now = new Date('2024-02-01T10:00:00Z');

  it('verify with any configured key until they expire', () => {
    const token = signConfirmToken(subject, key);
    expect(verifyConfirmToken(token, [{ id: 'k0', secret: 'x'.repeat(32) }, key], now)).toEqual({ ok: true, subject });
    expect(verifyConfirmToken(token, [key], new Date('2024-02-03T10:00:00Z'))).toEqual({ ok: false, reason: 'expired' });
    expect(verifyConfirmToken(token, [{ id: 'k2', secret: key.secret }], now)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('refuse a changed signature, a changed payload, and a personal link token', () => {
    const token = signConfirmToken(subject, key);
    const [payload, signature] = token.split('.') as [string, string];
    expect(verifyConfirmToken(`${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, [key], now).ok).toBe(false);
    const later = Buffer.from(`k1:hrgl-2024:r-abcdefghijklmnop:${Math.floor(Date.UTC(2030, 0, 1) / 1000)}`).toString('base64url');
    expect(verifyConfirmToken(`${later}.${signature}`, [key], now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyConfirmToken(signLink({ eventId: 'hrgl-2024', participantId: 'p-abc' }, key), [key], now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyConfirmToken('not a token', [key], now)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('consentVersion', () => {
  it('changes with the wording, its language and the privacy notice', () => {
    const v = consentVersion('en', 'I agree.', undefined);
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(consentVersion('en', 'I agree.', undefined)).toBe(v);
    expect(new Set([v, consentVersion('de', 'I agree.', undefined), consentVersion('en', 'I agree!', undefined), consentVersion('en', 'I agree.', 'https://x.example')]).size).toBe(4);
  });
});
