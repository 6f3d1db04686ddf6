import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SigningKey {
  id: string;
  secret: string;
}

export interface LinkSubject {
  eventId: string;
  participantId: string;
}

export type VerifiedLink =
  | { ok: true; subject: LinkSubject; keyId: string }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' };

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`link.v1.${payload}`).digest('base64url');
}

/**
 * A personal link token: base64url("keyId:eventId:participantId") "." base64url(HMAC-SHA256).
 * The MAC covers the encoded text itself and is compared as text, so no two spellings of one token
 * exist (base64's unused trailing bits cannot be flipped unnoticed).
 */
export function signLink(subject: LinkSubject, key: SigningKey): string {
  const payload = b64(`${key.id}:${subject.eventId}:${subject.participantId}`);
  return `${payload}.${mac(key.secret, payload)}`;
}

export function verifyLink(token: string, keys: readonly SigningKey[]): VerifiedLink {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 512 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const payload = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  const decoded = Buffer.from(payload, 'base64url').toString('utf8');
  if (b64(decoded) !== payload) return { ok: false, reason: 'malformed' };
  const parts = decoded.split(':');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) return { ok: false, reason: 'malformed' };
  const [keyId, eventId, participantId] = parts as [string, string, string];
  const key = keys.find((k) => k.id === keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const expected = Buffer.from(mac(key.secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  return { ok: true, subject: { eventId, participantId }, keyId };
}
