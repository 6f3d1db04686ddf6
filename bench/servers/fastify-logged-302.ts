// The headline reference: what a user would otherwise deploy for the join link, a plain Fastify app with its
// default request logging (`Fastify({ logger: true })`: an "incoming request" and a "request completed" line
// per request, Fastify's serializers, pino's defaults), written synchronously to /dev/null as join-server.ts
// writes ours. Same route shape and request path as the join route (BENCH_PATH), answering 302 with the
// same Location (BENCH_LOCATION), so both sides read and write the same bytes.
import Fastify from 'fastify';
import { pino } from 'pino';
import { serveForBench } from './serve.js';

const location = process.env.BENCH_LOCATION ?? 'http://127.0.0.1/elsewhere';
const path = process.env.BENCH_PATH ?? '/p/token/join/session';
const app = Fastify({ logger: { level: 'info', stream: pino.destination({ dest: '/dev/null', sync: true }) } });
app.get('/p/:token/join/:sessionId', async (_request, reply) => reply.code(302).header('location', location).send());
await serveForBench(app, path);
