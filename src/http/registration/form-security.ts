import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Forms are a few short fields; anything larger is not one of ours. */
export const FORM_BODY_LIMIT = 8 * 1024;

/** application/x-www-form-urlencoded for this plugin's routes only (the rest of the API speaks JSON). */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    const fields: Record<string, string> = {};
    // The first value of a repeated field counts; a field is never turned into an array a schema did not expect.
    for (const [name, value] of new URLSearchParams(String(body))) if (!(name in fields)) fields[name] = value;
    done(null, fields);
  });
}

const COOKIE = 'ao_form';
const TOKEN = /^[A-Za-z0-9_-]{22}$/;

function cookieValue(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) {
      const value = rest.join('=');
      return TOKEN.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * The confirm and cancel forms carry a token that must equal a cookie set with the page (double submit). The
 * cookie is SameSite=Strict, so a page on another site that posts to these URLs never sends it: knowing a
 * confirmation or personal link is not enough to make someone's browser act on it. The value is reused while
 * the browser has it, so two open tabs do not invalidate each other.
 */
export function issueFormToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const token = cookieValue(request) ?? randomBytes(16).toString('base64url');
  reply.header('set-cookie', `${COOKIE}=${token}; Path=/; Max-Age=7200; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`);
  return token;
}

/** Whether a form post came from one of our pages in this browser. */
export function formTokenMatches(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return false;
  const cookie = cookieValue(request);
  const given = (request.body as Record<string, unknown> | undefined)?.form;
  if (!cookie || typeof given !== 'string' || !TOKEN.test(given)) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(given));
}
