import type { IncomingHttpHeaders } from 'node:http';
import type { SimReply } from './simulator-types.js';

/**
 * POST /oauth/token for Server-to-Server OAuth (https://developers.zoom.us/docs/internal-apps/s2s-oauth/):
 * Basic client credentials, `grant_type=account_credentials&account_id=…` in a form body. Error codes from
 * https://developers.zoom.us/docs/integrations/oauth-error-messages/; the body shape ({reason, error}) is the
 * one seen in forum reports, with the code added, and is not documented.
 */
export const SIM_SCOPES = [
  'webinar:write:webinar:admin',
  'webinar:read:webinar:admin',
  'webinar:update:webinar:admin',
  'webinar:delete:webinar:admin',
  'webinar:write:registrant:admin',
  'webinar:write:batch_registrants:admin',
  'webinar:read:list_registrants:admin',
  'webinar:update:registrant_status:admin',
  'webinar:write:panelist:admin',
  'webinar:read:list_panelists:admin',
].join(' ');

const TOKEN_TTL_SECONDS = 3600;

function oauthError(status: number, code: number, reason: string, error: string): SimReply {
  return { status, body: { code, reason, error } };
}

export interface TokenRegistry {
  issue(nowMs: number): { token: string; expiresIn: number };
  isValid(token: string, nowMs: number): boolean;
  revokeAll(): void;
}

export function createTokenRegistry(randomToken: () => string): TokenRegistry {
  const tokens = new Map<string, number>();
  return {
    issue(nowMs) {
      const token = randomToken();
      tokens.set(token, nowMs + TOKEN_TTL_SECONDS * 1000);
      return { token, expiresIn: TOKEN_TTL_SECONDS };
    },
    isValid(token, nowMs) {
      const expiresAt = tokens.get(token);
      return expiresAt !== undefined && expiresAt > nowMs;
    },
    revokeAll: () => tokens.clear(),
  };
}

export function handleTokenRequest(input: {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  body: string;
  credentials: { accountId: string; clientId: string; clientSecret: string };
  registry: TokenRegistry;
  nowMs: number;
}): SimReply {
  const { headers, query, body, credentials } = input;
  if (query.has('grant_type') || query.has('account_id')) {
    return oauthError(400, 4706, 'Missing grant type', 'invalid_request');
  }
  const auth = headers.authorization ?? '';
  if (!auth.startsWith('Basic ')) return oauthError(400, 4706, 'Client ID or client secret is missing.', 'invalid_request');
  const decoded = Buffer.from(auth.slice('Basic '.length), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  const clientId = sep < 0 ? decoded : decoded.slice(0, sep);
  const clientSecret = sep < 0 ? '' : decoded.slice(sep + 1);
  if (!clientId || !clientSecret) return oauthError(400, 4706, 'Client ID or client secret is missing.', 'invalid_request');
  if (clientId !== credentials.clientId) return oauthError(401, 4702, 'Invalid client_id or client_secret', 'invalid_client');
  if (clientSecret !== credentials.clientSecret) return oauthError(401, 4704, 'Invalid client secret.', 'invalid_client');
  const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const form = contentType === 'application/x-www-form-urlencoded' ? new URLSearchParams(body) : new URLSearchParams();
  const grantType = form.get('grant_type');
  if (!grantType) return oauthError(400, 4706, 'Missing grant type', 'invalid_request');
  if (grantType !== 'account_credentials') return oauthError(400, 4705, 'Grant type is not supported from token endpoint.', 'unsupported_grant_type');
  if (form.get('account_id') !== credentials.accountId) return oauthError(400, 4706, 'Invalid account_id', 'invalid_request');
  const { token, expiresIn } = input.registry.issue(input.nowMs);
  return {
    status: 200,
    body: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: SIM_SCOPES },
  };
}
