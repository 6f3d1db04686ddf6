// The baseline: a bare Fastify route answering 302, same framework, process model and machine. It answers
// with BENCH_LOCATION, the real join URL, so both sides send the same bytes and the ratio measures what the
// service does per request, not the length of BigBlueButton's join URL.
import Fastify from 'fastify';

const location = process.env.BENCH_LOCATION ?? 'http://127.0.0.1/elsewhere';
const app = Fastify();
app.get('/r', async (_request, reply) => reply.code(302).header('location', location).send());
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/r` })}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
