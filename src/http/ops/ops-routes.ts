import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';
import { createOrganizerAuth } from '../organizer/organizer-auth.js';

export interface Readiness {
  /** Resolves when every dependency the process needs answers. */
  check(): Promise<void>;
}

export interface OpsRoutesOptions {
  readiness: Readiness;
  metrics: Metrics;
  /** Unset: /metrics is public, the Prometheus convention behind a private network. */
  metricsToken: string | undefined;
}

export const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (app, { readiness, metrics, metricsToken }) => {
  // The same constant-time bearer check as the organizer API, with its own single token.
  const requireMetricsToken = metricsToken ? createOrganizerAuth([metricsToken], 'metrics') : undefined;

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

  app.get(
    '/metrics',
    {
      schema: { tags: ['ops'], summary: 'Prometheus metrics (Bearer METRICS_TOKEN when the server sets one)' },
      ...(requireMetricsToken ? { onRequest: requireMetricsToken } : {}),
    },
    async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
    },
  );
};
