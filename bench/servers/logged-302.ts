// A reference, not a target: the bare 302 plus only what every request of the service carries for
// observability (request id, per-request child logger, the access-log line and request histogram of
// src/http/request-log.ts), logging as join-server.ts does. It shows what that alone costs on this machine;
// with BENCH_LOG_LEVEL=warn the access-log line is skipped and the rest stays.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { createMetrics } from '../../src/http/metrics.js';
import { installRequestLog } from '../../src/http/request-log.js';
import { serveForBench } from './serve.js';
import { createLogger } from '../../src/logger.js';

const location = process.env.BENCH_LOCATION ?? 'http://127.0.0.1/elsewhere';
const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', pino.destination({ dest: '/dev/null', sync: true }));
const app = Fastify({
  loggerInstance: logger as FastifyBaseLogger,
  logController: new LogController({ disableRequestLogging: true }),
  genReqId: () => randomUUID(),
});
installRequestLog(app, createMetrics());
app.addHook('onRequest', (request, reply, done) => {
  reply.header('x-request-id', request.id);
  done();
});
app.get('/r', async (_request, reply) => reply.code(302).header('location', location).send());
await serveForBench(app, '/r');
