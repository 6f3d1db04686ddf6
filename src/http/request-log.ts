import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

/** Personal link tokens live in the path of participant routes; they are cut before anything is logged. */
export function redactUrl(url: string): string {
  // String scans instead of split and a regex: this runs for every request.
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.startsWith('/p/')) return path;
  const end = path.indexOf('/', 3);
  if (end === 3 || path.length === 3) return path;
  return end === -1 ? '/p/[token]' : `/p/[token]${path.slice(end)}`;
}

export function installRequestLog(app: FastifyInstance, metrics: Metrics): void {
  // Label children are looked up once per (method, route, status) instead of hashing labels per request.
  const children = new Map<string, { duration: ReturnType<Metrics['httpDuration']['labels']>; count: ReturnType<Metrics['httpRequests']['labels']> }>();
  const childFor = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      child = { duration: metrics.httpDuration.labels(method, route, String(status)), count: metrics.httpRequests.labels(method, route, String(status)) };
      children.set(key, child);
    }
    return child;
  };
  // A callback hook, not an async one: no promise per request for work that never waits.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const elapsed = reply.elapsedTime;
    const child = childFor(request.method, route, reply.statusCode);
    child.duration.observe(elapsed / 1000);
    child.count.inc();
    request.log.info(
      // route sits beside req: Fastify's req serializer keeps only the fields of a raw request and dropped it.
      { req: { method: request.method, url: redactUrl(request.url) }, route, res: { statusCode: reply.statusCode }, ms: Math.round(elapsed) },
      'request completed',
    );
    done();
  });
}
