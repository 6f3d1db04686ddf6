import { load, median, ratio, startServerProcess, type LoadResult } from './lib.js';

/**
 * Join redirect with the room running vs a bare Fastify 302, same machine and run, 100 connections.
 * The two alternate for several rounds and the medians are compared, so a burst of other work on the
 * machine lands on both sides instead of deciding the ratio.
 */
export async function benchJoinRedirect(
  seconds = Number(process.env.BENCH_SECONDS ?? 5),
  rounds = Number(process.env.BENCH_ROUNDS ?? 3),
): Promise<string[]> {
  const bare = await startServerProcess('bench/servers/bare-302.ts');
  const join = await startServerProcess('bench/servers/join-server.ts');
  try {
    await load(bare.url, 2);
    await load(join.url, 2);
    const base: LoadResult[] = [];
    const ours: LoadResult[] = [];
    for (let i = 0; i < rounds; i += 1) {
      base.push(await load(bare.url, seconds));
      ours.push(await load(join.url, seconds));
    }
    const rps = { ours: median(ours.map((r) => r.rps)), base: median(base.map((r) => r.rps)) };
    const p99 = { ours: median(ours.map((r) => r.p99)), base: median(base.map((r) => r.p99)) };
    const sum = (key: 'non3xx' | 'errors') => ours.reduce((n, r) => n + r[key], 0);
    return [
      `join redirect: ${rps.ours.toFixed(0)} req/s vs bare 302 ${rps.base.toFixed(0)} req/s → throughput ratio ${ratio(rps.ours, rps.base)} (target ≥ 0.80)`,
      `join redirect: p99 ${p99.ours} ms vs bare ${p99.base} ms → p99 ratio ${ratio(p99.ours, Math.max(p99.base, 1))} (target ≤ 1.5); non-302 ${sum('non3xx')}, errors ${sum('errors')}`,
      `join redirect: medians of ${rounds} alternating ${seconds} s rounds; req/s per round ours ${ours.map((r) => r.rps.toFixed(0)).join('/')}, bare ${base.map((r) => r.rps.toFixed(0)).join('/')}`,
    ];
  } finally {
    await join.stop();
    await bare.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchJoinRedirect()) console.log(line);
