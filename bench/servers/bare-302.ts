// The baseline: a bare Fastify route answering 302, same framework, process model and machine. It answers
// with BENCH_LOCATION, the real join URL, so both sides send the same bytes and the ratio measures what the
// service does per request, not the length of BigBlueButton's join URL.
import { serveForBench } from './serve.js';
import Fastify from 'fastify';

const location = process.env.BENCH_LOCATION ?? 'http://127.0.0.1/elsewhere';
const app = Fastify();
app.get('/r', async (_request, reply) => reply.code(302).header('location', location).send());
await serveForBench(app, '/r');
