import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { benchAuth, median, openProgramme, percentile, ratio, startInProcessApp } from './lib.js';

const REQUESTS = 2_000;
const CONCURRENCY = 32;
/** Alternating rounds of both routes, one ratio per round (the machine's speed drifts within seconds). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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

interface Drive {
  rps: number;
  p99: number;
  /** CPU time of the whole process (load generator and server) per request, µs. */
  cpu: number;
}

async function drive(app: FastifyInstance, url: string, expect: number): Promise<Drive> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const worker = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const payload = new URLSearchParams({ name: `Person ${i}`, email: `p${i}.${started.toFixed(0)}@bench.example`, language: 'en', consent: 'yes' }).toString();
      // One client address per request index: the per-IP limit stays on but does not turn the run into a 429
      // benchmark (each address is used once per round, well under its 20 per window).
      const headers = { ...FORM, 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
      const t0 = performance.now();
      const res = await app.inject({ method: 'POST', url, headers, payload });
      latencies.push(performance.now() - t0);
      if (res.statusCode !== expect) throw new Error(`${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rps: REQUESTS / seconds, p99: percentile(latencies, 99), cpu: (cpu.user + cpu.system) / REQUESTS };
}

const list = (values: readonly number[], digits = 0) => values.map((v) => v.toFixed(digits)).join('/');

/**
 * Registration POSTs (validation, both rate limits, the lookups, the pending record, the confirmation message
 * and its job) against a bare Fastify route that parses the same form and answers 303, in the same run and
 * process. Distinct addresses and client IPs, so every request does the full work with the limiter on. Each
 * side is warmed up by one untimed round, then `ROUNDS` rounds alternate which goes first.
 */
export async function benchRegistration(): Promise<string[]> {
  // Each round sends every client address once more, and the per-IP limit is 20 per window.
  if (!(ROUNDS >= 1 && ROUNDS <= 19)) throw new Error('BENCH_ROUNDS must be 1 to 19');
  const run = await startInProcessApp('registration');
  const bare = await bareFormServer();
  try {
    const programme = { ...openProgramme('reg'), registration: { open: true } };
    const put = await run.app.inject({ method: 'PUT', url: '/api/v1/events/reg', headers: benchAuth, payload: programme });
    if (put.statusCode >= 300) throw new Error(`programme PUT answered ${put.statusCode}: ${put.body.slice(0, 300)}`);
    const url = '/e/reg/register';
    await drive(bare, url, 303);
    await drive(run.app, url, 303);
    const ours: Drive[] = [];
    const base: Drive[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        base.push(await drive(bare, url, 303));
        ours.push(await drive(run.app, url, 303));
      } else {
        ours.push(await drive(run.app, url, 303));
        base.push(await drive(bare, url, 303));
      }
    }
    const rpsRatios = ours.map((o, i) => o.rps / base[i]!.rps);
    const p99Ratios = ours.map((o, i) => o.p99 / base[i]!.p99);
    const [r, p] = [median(rpsRatios), median(p99Ratios)];
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    return [
      `registration POST: ${median(ours.map((o) => o.rps)).toFixed(0)} req/s, p99 ${median(ours.map((o) => o.p99)).toFixed(1)} ms (medians of ${ROUNDS} rounds of ${REQUESTS} requests, ${CONCURRENCY} at a time, limiter on)`,
      `registration POST: bare form route ${median(base.map((b) => b.rps)).toFixed(0)} req/s, p99 ${median(base.map((b) => b.p99)).toFixed(1)} ms → throughput ratio ${r.toFixed(2)} (target ≥ 0.5, ${verdict(r >= 0.5)}), p99 ratio ${p.toFixed(2)} (target ≤ 3, ${verdict(p <= 3)}); medians of per-round ratios`,
      `registration POST: per round throughput ratio ${list(rpsRatios, 2)}, p99 ratio ${list(p99Ratios, 2)}; req/s ours ${list(ours.map((o) => o.rps))}, bare ${list(base.map((b) => b.rps))}`,
      `registration POST: CPU per request (whole process) ours ${median(ours.map((o) => o.cpu)).toFixed(0)} µs, bare ${median(base.map((b) => b.cpu)).toFixed(0)} µs → ${ratio(median(base.map((b) => b.cpu)), median(ours.map((o) => o.cpu)))} (no target)`,
    ];
  } finally {
    await bare.close();
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchRegistration()) console.log(line);
