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
  // Label children are looked up once per (route, method, status) instead of hashing labels per request,
  // in maps keyed by the values themselves: a joined key would be a new string to hash on every request.
  type Child = ReturnType<Metrics['httpDuration']['labels']>;
  const children = new Map<string, Map<string, Map<number, Child>>>();
  const childFor = (route: string, method: string, status: number): Child => {
    let byMethod = children.get(route);
    if (!byMethod) children.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (!child) byStatus.set(status, (child = metrics.httpDuration.labels(method, route, String(status))));
    return child;
  };
  // A callback hook, not an async one: no promise per request for work that never waits.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const elapsed = reply.elapsedTime;
    childFor(route, request.method, reply.statusCode).observe(elapsed / 1000);
    // Flat fields: keys named req/res would run Fastify's serializers and pino's redaction on every line.
    request.log.info({ method: request.method, url: redactUrl(request.url), route, status: reply.statusCode, ms: Math.round(elapsed) }, 'request completed');
    done();
  });
}
