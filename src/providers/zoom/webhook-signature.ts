import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Zoom signs `v0:{x-zm-request-timestamp}:{raw body}` with HMAC-SHA256 and sends `v0={hex}` in `x-zm-signature`
 * (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events). The raw bytes matter: rivet re-stringifies
 * parsed JSON, which breaks on any re-ordering or whitespace, and it has no staleness check.
 */
export type WebhookVerification = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export interface VerifyZoomWebhookInput {
  rawBody: Buffer | string;
  timestamp: string | undefined;
  signature: string | undefined;
  secretToken: string;
  nowMs: number;
  toleranceMs?: number;
}

function hmacHex(secretToken: string, message: Buffer): string {
  return createHmac('sha256', secretToken).update(message).digest('hex');
}

function signedMessage(timestamp: string, rawBody: Buffer | string): Buffer {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return Buffer.concat([Buffer.from(`v0:${timestamp}:`, 'utf8'), body]);
}

export function signZoomWebhook(input: { rawBody: Buffer | string; timestamp: string; secretToken: string }): string {
  return `v0=${hmacHex(input.secretToken, signedMessage(input.timestamp, input.rawBody))}`;
}

export function verifyZoomWebhook(input: VerifyZoomWebhookInput): WebhookVerification {
  const { timestamp, signature, secretToken, nowMs, toleranceMs = 300_000 } = input;
  if (!timestamp || !signature || !secretToken) return { ok: false, reason: 'missing' };
  // Zoom's examples carry epoch seconds; milliseconds are accepted too rather than guessing which one a proxy forwards.
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'stale' };
  const raw = Number(timestamp);
  const tsMs = raw < 1e11 ? raw * 1000 : raw;
  if (Math.abs(nowMs - tsMs) > toleranceMs) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signZoomWebhook({ rawBody: input.rawBody, timestamp, secretToken }), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}

/** Reply to `endpoint.url_validation` (https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint). */
export function urlValidationResponse(plainToken: string, secretToken: string): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac('sha256', secretToken).update(plainToken).digest('hex') };
}
