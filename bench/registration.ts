import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { benchAuth, openProgramme, percentile, ratio, startInProcessApp } from './lib.js';

const REQUESTS = 2_000;
const CONCURRENCY = 32;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** What the baseline does: parse a small form and answer 303, nothing else. */
async function bareFormServer(): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.post('/e/:eventId/register', async (_request, reply) => reply.code(303).header('location', '/sent').send());
  await app.ready();
  return app;
}

async function drive(app: FastifyInstance, url: string, expect: number): Promise<{ rps: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const payload = new URLSearchParams({ name: `Person ${i}`, email: `p${i}.${started.toFixed(0)}@bench.example`, language: 'en', consent: 'yes' }).toString();
      // One client address per request: the per-IP limit stays on but does not turn the run into a 429 benchmark.
      const headers = { ...FORM, 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
      const t0 = performance.now();
      const res = await app.inject({ method: 'POST', url, headers, payload });
      latencies.push(performance.now() - t0);
      if (res.statusCode !== expect) throw new Error(`${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { rps: REQUESTS / seconds, p99: percentile(latencies, 99) };
}

/**
 * Registration POSTs (validation, both rate limits, the lookups, the pending record, the confirmation message
 * and its job) against a bare Fastify route that parses the same form and answers 303, in the same run and
 * process. Distinct addresses and client IPs, so every request does the full work with the limiter on.
 */
export async function benchRegistration(): Promise<string[]> {
  const run = await startInProcessApp('registration');
  const bare = await bareFormServer();
  try {
    const programme = { ...openProgramme('reg'), registration: { open: true } };
    const put = await run.app.inject({ method: 'PUT', url: '/api/v1/events/reg', headers: benchAuth, payload: programme });
    if (put.statusCode >= 300) throw new Error(`programme PUT answered ${put.statusCode}: ${put.body.slice(0, 300)}`);
    await drive(bare, '/e/reg/register', 303);
    const baseline = await drive(bare, '/e/reg/register', 303);
    const measured = await drive(run.app, '/e/reg/register', 303);
    return [
      `registration POST: ${measured.rps.toFixed(0)} req/s, p99 ${measured.p99.toFixed(1)} ms (${REQUESTS} requests, ${CONCURRENCY} at a time, limiter on)`,
      `registration POST: bare form route ${baseline.rps.toFixed(0)} req/s, p99 ${baseline.p99.toFixed(1)} ms → throughput ratio ${ratio(measured.rps, baseline.rps)} (target ≥ 0.5), p99 ratio ${ratio(measured.p99, baseline.p99)} (target ≤ 3)`,
    ];
  } finally {
    await bare.close();
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchRegistration()) console.log(line);
