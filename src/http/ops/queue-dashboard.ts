import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QUEUE_NAMES } from '../../queue/job-registry.js';
import type { Queues } from '../../queue/queues.js';
import { Unauthorized } from '../errors.js';
import { QUEUE_DASHBOARD_PATH } from '../security-headers.js';

/**
 * bull-board behind organizer auth. Browsers cannot send a bearer header by themselves, so the
 * dashboard also takes HTTP Basic with an organizer token as the password (any user name).
 */
export async function queueDashboard(
  app: FastifyInstance,
  options: { queues: Queues; requireOrganizer: (request: FastifyRequest, reply: FastifyReply) => Promise<void> },
): Promise<void> {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(options.queues.get(name))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'academy-orchestrator jobs' } },
  });

  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    scope.addHook('onRequest', async (request, reply) => {
      // The page's relative asset URLs only resolve under the slash: send the bare path there first.
      const q = request.url.indexOf('?');
      if ((q === -1 ? request.url : request.url.slice(0, q)) === QUEUE_DASHBOARD_PATH) {
        return reply.redirect(`${QUEUE_DASHBOARD_PATH}/${q === -1 ? '' : request.url.slice(q)}`, 301);
      }
      const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (basic?.[1]) {
        const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
        request.headers.authorization = `Bearer ${decoded.slice(decoded.indexOf(':') + 1)}`;
      }
      try {
        await options.requireOrganizer(request, reply);
      } catch (error) {
        if (error instanceof Unauthorized) reply.header('www-authenticate', 'Basic realm="academy-orchestrator queues", charset="UTF-8"');
        throw error;
      }
    });
    await scope.register(adapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}
