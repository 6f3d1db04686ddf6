import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signZoomWebhook, urlValidationResponse, verifyZoomWebhook } from '../../../src/providers/zoom/webhook-signature.js';

const secretToken = 'whsec-test-0123456789';
const rawBody = '{"event":"webinar.started","event_ts":1780000000000,"payload":{"object":{"id":"812"}}}';
const nowMs = 1_780_000_000_000;
const timestamp = String(nowMs / 1000);

describe('zoom webhook signature', () => {
  it('accepts a correctly signed raw body, matching an independent HMAC', () => {
    const signature = signZoomWebhook({ rawBody, timestamp, secretToken });
    expect(signature).toBe(`v0=${createHmac('sha256', secretToken).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`);
    expect(verifyZoomWebhook({ rawBody: Buffer.from(rawBody), timestamp, signature, secretToken, nowMs })).toEqual({ ok: true });
  });

  it('rejects a tampered body, a wrong secret and missing headers', () => {
    const signature = signZoomWebhook({ rawBody, timestamp, secretToken });
    const tampered = rawBody.replace('812', '813');
    expect(verifyZoomWebhook({ rawBody: tampered, timestamp, signature, secretToken, nowMs })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyZoomWebhook({ rawBody, timestamp, signature, secretToken: 'other', nowMs })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyZoomWebhook({ rawBody, timestamp, signature: undefined, secretToken, nowMs })).toEqual({ ok: false, reason: 'missing' });
  });

  it('rejects stale timestamps outside the tolerance', () => {
    const old = String(nowMs / 1000 - 301);
    const signature = signZoomWebhook({ rawBody, timestamp: old, secretToken });
    expect(verifyZoomWebhook({ rawBody, timestamp: old, signature, secretToken, nowMs })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyZoomWebhook({ rawBody, timestamp: old, signature, secretToken, nowMs, toleranceMs: 400_000 })).toEqual({ ok: true });
  });

  it('answers url validation with the hex HMAC of the plain token', () => {
    const reply = urlValidationResponse('qgg8vlvZRS6UYooatFL8Aw', secretToken);
    expect(reply).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', secretToken).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });
});
