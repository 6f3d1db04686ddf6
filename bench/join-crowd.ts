import { performance } from 'node:perf_hooks';
import { startBbbSimulator } from '../simulators/bbb/bbb-simulator.js';
import { benchAuth, openProgramme, percentile, ratio, startInProcessApp } from './lib.js';

const CROWD = 2_000;
const BBB_LATENCY_MS = 300;

/**
 * 2,000 participants open their join link at the same moment, before the room exists, against a BBB
 * simulator answering every call after 300 ms (it has no create-only delay, so the getMeetingInfo that
 * precedes the create waits too). Baseline: the same 2,000 first joins once the room runs, with the
 * participant cache emptied so both waves read every participant from Redis.
 */
export async function benchJoinCrowd(): Promise<string[]> {
  const bbb = await startBbbSimulator({ secret: 'bench-bbb-secret', host: '127.0.0.1', port: 0 });
  const run = await startInProcessApp('crowd', { BBB_URL: bbb.url, BBB_SECRET: 'bench-bbb-secret' });
  try {
    const { app } = run;
    const put = await app.inject({ method: 'PUT', url: '/api/v1/events/crowd', headers: benchAuth, payload: openProgramme('crowd') });
    if (put.statusCode >= 300) throw new Error(`programme PUT answered ${put.statusCode}: ${put.body.slice(0, 300)}`);
    const participants = Array.from({ length: CROWD }, (_, i) => ({ name: `Person ${i}`, email: `p${i}@crowd.example` }));
    const res = await app.inject({ method: 'POST', url: '/api/v1/events/crowd/participants', headers: benchAuth, payload: { participants } });
    if (res.statusCode !== 201) throw new Error(`participants POST answered ${res.statusCode}`);
    const paths = (res.json() as { participants: Array<{ links: { join: Record<string, string> } }> }).participants.map(
      (p) => new URL(p.links.join.s1 ?? '').pathname,
    );

    const wave = async () => {
      const latencies: number[] = [];
      let non302 = 0;
      await Promise.all(
        paths.map(async (url) => {
          const started = performance.now();
          const answer = await app.inject({ method: 'GET', url });
          latencies.push(performance.now() - started);
          if (answer.statusCode !== 302) non302 += 1;
        }),
      );
      return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), non302 };
    };

    bbb.faults.latencyMs = BBB_LATENCY_MS;
    const first = await wave();
    const creates = bbb.callCount('create');
    run.api.participantCache.clear();
    const running = await wave();
    return [
      `join crowd: ${CROWD} concurrent first joins, BBB ${BBB_LATENCY_MS} ms per call: create calls ${creates} (target 1), p50 ${first.p50.toFixed(0)} ms, p99 ${first.p99.toFixed(0)} ms, non-302 ${first.non302}`,
      `join crowd: same ${CROWD} joins with the room running: p50 ${running.p50.toFixed(0)} ms, p99 ${running.p99.toFixed(0)} ms, non-302 ${running.non302} → p99 ratio ${ratio(first.p99, running.p99)} (first wave includes ${2 * BBB_LATENCY_MS} ms of BBB latency)`,
    ];
  } finally {
    await run.close();
    await bbb.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchJoinCrowd()) console.log(line);
