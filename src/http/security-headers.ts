import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
// helmet itself rather than the @fastify/helmet plugin: the plugin rebuilds helmet's
// middleware, parsing the CSP, on every request (~15% of the join redirect's CPU under load).
import helmet, { type HelmetOptions } from 'helmet';

/** Participant pages: everything from our own origin, no inline code, nothing may frame them. */
export const STRICT_CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
};

/**
 * Swagger UI sets element styles from script and fetches its spec and assets from /docs, so it gets a looser
 * policy of its own; it holds no participant data and no join links.
 */
export const DOCS_CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
};

/**
 * bull-board's page resolves its assets against `<base href="/admin/queues/">`: its policy is the docs one
 * with the base URI allowed to be our own origin. (Its Google Fonts stylesheet stays blocked: an organizer
 * tool sends nothing to third parties, and the system font is fine.)
 */
export const QUEUE_DASHBOARD_CSP_DIRECTIVES = { ...DOCS_CSP_DIRECTIVES, 'base-uri': ["'self'"] };

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** Swagger UI (an organizer tool without participant data) gets the looser docs policy. */
export function isDocsUrl(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/');
}

export function isQueueDashboardUrl(url: string): boolean {
  return url === QUEUE_DASHBOARD_PATH || url.startsWith(`${QUEUE_DASHBOARD_PATH}/`);
}

function helmetOptions(directives: Record<string, string[]>): HelmetOptions {
  return {
    // helmet's defaults would add upgrade-insecure-requests and others we do not want implied; spell it out.
    contentSecurityPolicy: { useDefaults: false, directives },
    // Join URLs and personal page URLs are bearer links: they must never travel in a Referer header.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  };
}

/** With static options helmet's headers do not depend on the request, so they are recorded once. */
export function securityHeadersFor(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze(headers);
}

/**
 * Registered before any route, so the strict policy covers every route (and 404s), and /docs routes get
 * theirs by the route they matched, not by a path prefix an unknown URL could imitate. With
 * `requestIdHeader` the same hook also answers the request id under that name: one hook instead of two on
 * every request, a join crowd's included.
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: { requestIdHeader?: string } = {}): Promise<void> {
  const { requestIdHeader } = options;
  const strictHeaders = securityHeadersFor(helmetOptions(STRICT_CSP_DIRECTIVES));
  // As name/value pairs: reply.headers(object) would list the object's keys again on every request.
  const strict = Object.entries(strictHeaders);
  const docs = Object.entries(securityHeadersFor(helmetOptions(DOCS_CSP_DIRECTIVES)));
  const queues = Object.entries(securityHeadersFor(helmetOptions(QUEUE_DASHBOARD_CSP_DIRECTIVES)));
  const redirect = Object.entries(redirectHeaders(strictHeaders));
  const forRoute = (route: string | undefined, redirectsOnly: boolean | undefined) => {
    if (redirectsOnly) return redirect;
    if (route === undefined) return strict;
    return isDocsUrl(route) ? docs : isQueueDashboardUrl(route) ? queues : strict;
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (requestIdHeader !== undefined) reply.header(requestIdHeader, request.id);
    const { url: route, config } = request.routeOptions;
    for (const [name, value] of forRoute(route, (config as { redirectsOnly?: boolean } | undefined)?.redirectsOnly)) reply.header(name, value);
    done();
  });
}

/**
 * Routes marked `config: { redirectsOnly: true }` answer bodiless redirects on success (the join link,
 * hit by whole crowds at once): document policies (CSP, framing, cross-origin) govern nothing there, and
 * every header costs on each response. Referrer-Policy (the provider must not see the personal link the
 * person came from) and HSTS (a join link in a calendar may be the first response someone gets from us)
 * stay; nosniff goes, as there is no body to sniff. Their error pages are rendered with the strict set by
 * the route itself (see participant-routes.ts).
 */
function redirectHeaders(strict: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const keep = ['referrer-policy', 'strict-transport-security'];
  return Object.freeze(Object.fromEntries(Object.entries(strict).filter(([name]) => keep.includes(name))));
}

/** The strict set, for routes that mostly redirect but sometimes render a page. */
export function strictSecurityHeaders(): Readonly<Record<string, string>> {
  return securityHeadersFor(helmetOptions(STRICT_CSP_DIRECTIVES));
}
