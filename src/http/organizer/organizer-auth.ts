import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Unauthorized } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Tokens are compared as SHA-256 digests so every comparison takes the same time whatever the
 * length, and every configured token is checked so the position of a match is not observable.
 */
export function createOrganizerAuth(tokens: readonly string[], who: 'organizer' | 'metrics' = 'organizer') {
  const expected = tokens.map(digest);
  return async function requireOrganizer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = digest(match?.[1] ?? '');
    let ok = false;
    for (const token of expected) ok = timingSafeEqual(token, presented) || ok;
    if (!match || !ok) {
      // RFC 6750 §3: a 401 names the scheme it wants, so clients and proxies know to send a bearer token.
      reply.header('www-authenticate', `Bearer realm="${who === 'organizer' ? 'organizer API' : 'metrics'}"`);
      throw new Unauthorized(who);
    }
  };
}
