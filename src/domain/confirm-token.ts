import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from './link-token.js';

export interface ConfirmSubject {
  eventId: string;
  registrationId: string;
  expiresAt: Date;
}

export type VerifiedConfirmToken =
  | { ok: true; subject: ConfirmSubject }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' };

const b64 = (value: string) => Buffer.from(value).toString('base64url');

// Its own MAC domain ("confirm.v1."), so no personal link token verifies here and no confirmation token as a
// personal link, even though both are signed with LINK_SIGNING_KEYS.
function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`confirm.v1.${payload}`).digest('base64url');
}

/** base64url("keyId:eventId:registrationId:expirySeconds") "." base64url(HMAC-SHA256): the link in a confirmation mail. */
export function signConfirmToken(subject: ConfirmSubject, key: SigningKey): string {
  const payload = b64(`${key.id}:${subject.eventId}:${subject.registrationId}:${Math.floor(subject.expiresAt.getTime() / 1000)}`);
  return `${payload}.${mac(key.secret, payload)}`;
}

/** Checked in constant time against every key, then for expiry: an expired link is told apart from a forged one. */
export function verifyConfirmToken(token: string, keys: readonly SigningKey[], now: Date): VerifiedConfirmToken {
  if (token.length > 512 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const [payload = '', signature = ''] = token.split('.');
  const decoded = Buffer.from(payload, 'base64url').toString('utf8');
  if (b64(decoded) !== payload) return { ok: false, reason: 'malformed' };
  const parts = decoded.split(':');
  if (parts.length !== 4 || parts.some((p) => p.length === 0) || !/^\d{1,12}$/.test(parts[3] ?? '')) return { ok: false, reason: 'malformed' };
  const [keyId, eventId, registrationId, expiry] = parts as [string, string, string, string];
  const key = keys.find((k) => k.id === keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const expected = Buffer.from(mac(key.secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  const expiresAt = new Date(Number(expiry) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, subject: { eventId, registrationId, expiresAt } };
}
