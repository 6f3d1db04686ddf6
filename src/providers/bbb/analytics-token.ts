import { errors, jwtVerify } from 'jose';

export type AnalyticsTokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

/**
 * BigBlueButton's analytics callback carries `Authorization: Bearer <JWT>`: HS512 over `{exp: now + 24 h}` with the
 * server's shared secret (securitySalt) and nothing else, not even a hash of the body
 * (post_events_analytics_callback.rb `send_data`; Scalelite forwards it signed the same way with its own secret).
 * Only HS512 is accepted, so a token cannot choose a weaker algorithm or `none`.
 */
export async function verifyAnalyticsToken(authorization: string | undefined, secret: string, now: Date): Promise<AnalyticsTokenCheck> {
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/.exec(authorization ?? '');
  if (!match?.[1]) return { ok: false, reason: 'missing' };
  try {
    await jwtVerify(match[1], new TextEncoder().encode(secret), { algorithms: ['HS512'], requiredClaims: ['exp'], currentDate: now });
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}
