import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

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

export function isDocsUrl(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/');
}

/**
 * Must run before @fastify/swagger-ui and the participant routes are registered: the exception for /docs is
 * attached as each route is added, and the strict policy applies to every route that has none.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  // Added before helmet's own onRoute hook, which turns a route's `helmet` option into its per-route config.
  app.addHook('onRoute', (route) => {
    if (route.helmet === undefined && isDocsUrl(route.url)) {
      route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP_DIRECTIVES } };
    }
  });

  await app.register(helmet, {
    global: true,
    // helmet's defaults would add upgrade-insecure-requests and others we do not want implied; spell it out.
    contentSecurityPolicy: { useDefaults: false, directives: STRICT_CSP_DIRECTIVES },
    // Join URLs and personal page URLs are bearer links: they must never travel in a Referer header.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  });
}
