import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';

export interface Readiness {
  /** Resolves when every dependency the process needs answers. */
  check(): Promise<void>;
}

export const opsRoutes: FastifyPluginAsync<{ readiness: Readiness; metrics: Metrics }> = async (app, { readiness, metrics }) => {
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness: 200 while the process runs' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['ops'], summary: 'Readiness: 200 only while Redis answers' } }, async (request, reply) => {
    try {
      await readiness.check();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: { message: (error as Error).message } }, 'not ready');
      return reply.code(503).send({ status: 'unavailable', reason: 'redis' });
    }
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
