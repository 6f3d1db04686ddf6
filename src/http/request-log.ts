import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

/** Personal link tokens live in the path of participant routes; they are cut before anything is logged. */
export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? url;
  return path.replace(/^\/p\/[^/]+/, '/p/[token]');
}

export function installRequestLog(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    metrics.httpRequests.inc(labels);
    request.log.info(
      // route sits beside req: Fastify's req serializer keeps only the fields of a raw request and dropped it.
      { req: { method: request.method, url: redactUrl(request.url) }, route, res: { statusCode: reply.statusCode }, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
}
