import { load, median, ratio, startServerProcess, type LoadResult } from './lib.js';

/**
 * Join redirect with the room running vs a bare Fastify 302, same machine and run, 100 connections. The
 * bare route answers with the very Location the join route sends, so both put the same bytes on the wire.
 * Two more servers are references for what the service's per-request observability costs on its own:
 * the bare route plus request id, child logger and request histogram, without and with the access-log line.
 * The servers alternate for several rounds and the medians are compared, so a burst of other work on the
 * machine lands on all of them instead of deciding a ratio.
 */
export async function benchJoinRedirect(
  seconds = Number(process.env.BENCH_SECONDS ?? 5),
  rounds = Number(process.env.BENCH_ROUNDS ?? 3),
): Promise<string[]> {
  const join = await startServerProcess('bench/servers/join-server.ts');
  const location = (await fetch(join.url, { redirect: 'manual' })).headers.get('location');
  if (!location) throw new Error('the join server did not redirect');
  const bare = await startServerProcess('bench/servers/bare-302.ts', { BENCH_LOCATION: location });
  const unlogged = await startServerProcess('bench/servers/logged-302.ts', { BENCH_LOCATION: location, BENCH_LOG_LEVEL: 'warn' });
  const logged = await startServerProcess('bench/servers/logged-302.ts', { BENCH_LOCATION: location });
  try {
    for (const server of [bare, unlogged, logged, join]) await load(server.url, 2);
    const base: LoadResult[] = [];
    const skeleton: LoadResult[] = [];
    const reference: LoadResult[] = [];
    const ours: LoadResult[] = [];
    for (let i = 0; i < rounds; i += 1) {
      base.push(await load(bare.url, seconds));
      skeleton.push(await load(unlogged.url, seconds));
      reference.push(await load(logged.url, seconds));
      ours.push(await load(join.url, seconds));
    }
    const rps = (results: LoadResult[]) => median(results.map((r) => r.rps));
    const p99 = (results: LoadResult[]) => median(results.map((r) => r.p99));
    const perRound = (results: LoadResult[]) => results.map((r) => r.rps.toFixed(0)).join('/');
    const sum = (key: 'non3xx' | 'errors') => ours.reduce((n, r) => n + r[key], 0);
    return [
      `join redirect: ${rps(ours).toFixed(0)} req/s vs bare 302 ${rps(base).toFixed(0)} req/s → throughput ratio ${ratio(rps(ours), rps(base))} (target ≥ 0.80)`,
      `join redirect: p99 ${p99(ours)} ms vs bare ${p99(base)} ms → p99 ratio ${ratio(p99(ours), Math.max(p99(base), 1))} (target ≤ 1.5); non-302 ${sum('non3xx')}, errors ${sum('errors')}`,
      `reference, bare 302 + request id + child logger + histogram: ${rps(skeleton).toFixed(0)} req/s → throughput ratio ${ratio(rps(skeleton), rps(base))}, p99 ratio ${ratio(p99(skeleton), Math.max(p99(base), 1))}`,
      `reference, the same + access-log line: ${rps(reference).toFixed(0)} req/s → throughput ratio ${ratio(rps(reference), rps(base))}, p99 ratio ${ratio(p99(reference), Math.max(p99(base), 1))}`,
      `join redirect: medians of ${rounds} alternating ${seconds} s rounds; req/s per round ours ${perRound(ours)}, with access log ${perRound(reference)}, without ${perRound(skeleton)}, bare ${perRound(base)}`,
    ];
  } finally {
    await join.stop();
    await logged.stop();
    await unlogged.stop();
    await bare.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchJoinRedirect()) console.log(line);
