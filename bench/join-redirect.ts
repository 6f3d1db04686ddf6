import { load, loadAtRate, median, startServerProcess, type LoadResult, type ServerProcess } from './lib.js';

/**
 * Join redirect with the room running, same machine and run, 100 connections, against:
 *
 * - the headline reference: a plain Fastify app with its default request logging (two lines per request,
 *   synchronous, to /dev/null like ours) on the same route shape and request path, answering 302 with the
 *   very Location the join route sends: what a user would otherwise deploy (targets: throughput ≥ 1.0×,
 *   p99 ≤ 1.2×);
 * - the framework ceiling: a bare Fastify 302 without logging (no target);
 * - two attribution references: the bare route plus request id, child logger and request histogram, without
 *   and with our access-log line.
 *
 * The machine's speed drifts by tens of percent within seconds (two cores shared with the load generator
 * and whatever else runs), so every ratio is a median of paired measurements: ours and the headline
 * reference alternate in short back-to-back slices (the order flipped every pair), and each pair gives one
 * ratio. The other references run in rounds with ours, each round giving one ratio per reference.
 * A check that does not depend on the drift at all: ours and the headline reference loaded side by side at
 * the same fixed rate, their CPU time per request read from /proc (Linux), one ratio per round.
 */
export async function benchJoinRedirect(
  seconds = Number(process.env.BENCH_SECONDS ?? 2),
  pairs = Number(process.env.BENCH_PAIRS ?? 11),
  rounds = Number(process.env.BENCH_ROUNDS ?? 3),
  rate = Number(process.env.BENCH_RATE ?? 5000),
  sideRounds = Number(process.env.BENCH_SIDE_ROUNDS ?? 5),
): Promise<string[]> {
  const started: ServerProcess[] = [];
  const start = async (script: string, env: Record<string, string> = {}) => {
    const server = await startServerProcess(script, env);
    started.push(server);
    return server;
  };
  try {
    const join = await start('bench/servers/join-server.ts');
    const location = (await fetch(join.url, { redirect: 'manual' })).headers.get('location');
    if (!location) throw new Error('the join server did not redirect');
    const path = new URL(join.url).pathname;
    const plain = await start('bench/servers/fastify-logged-302.ts', { BENCH_LOCATION: location, BENCH_PATH: path });
    const plainAnswer = await fetch(plain.url, { redirect: 'manual' });
    if (plainAnswer.status !== 302 || plainAnswer.headers.get('location') !== location) throw new Error('the plain Fastify reference does not answer as the join route does');
    const bare = await start('bench/servers/bare-302.ts', { BENCH_LOCATION: location });
    const unlogged = await start('bench/servers/logged-302.ts', { BENCH_LOCATION: location, BENCH_LOG_LEVEL: 'warn' });
    const logged = await start('bench/servers/logged-302.ts', { BENCH_LOCATION: location });
    for (const server of [join, plain, bare, logged, unlogged]) await load(server.url, 2);

    // Headline: ours and the plain Fastify reference back to back, `pairs` times.
    const ours: LoadResult[] = [];
    const reference: LoadResult[] = [];
    for (let i = 0; i < pairs; i += 1) {
      if (i % 2 === 0) {
        ours.push(await load(join.url, seconds));
        reference.push(await load(plain.url, seconds));
      } else {
        reference.push(await load(plain.url, seconds));
        ours.push(await load(join.url, seconds));
      }
    }
    // Context: ours with the ceiling and the attribution references, in rounds.
    const context = [join, bare, logged, unlogged];
    const byServer = new Map(context.map((server) => [server, [] as LoadResult[]]));
    for (let i = 0; i < rounds; i += 1) {
      for (const server of i % 2 === 0 ? context : [...context].reverse()) byServer.get(server)!.push(await load(server.url, seconds));
    }
    const [oursAgain, base, accessLog, skeleton] = context.map((server) => byServer.get(server)!) as [LoadResult[], LoadResult[], LoadResult[], LoadResult[]];

    // Side by side at a fixed rate: CPU per request of each, taken over the same seconds.
    const cpuOurs: number[] = [];
    const cpuReference: number[] = [];
    // Twice the slice: CPU time is counted in 10 ms ticks.
    for (let i = 0; i < sideRounds; i += 1) {
      const before = [join.cpuMicros(), plain.cpuMicros()] as const;
      const [a, b] = await Promise.all([loadAtRate(join.url, 2 * seconds, rate), loadAtRate(plain.url, 2 * seconds, rate)]);
      cpuOurs.push((join.cpuMicros() - before[0]) / a.requests);
      cpuReference.push((plain.cpuMicros() - before[1]) / b.requests);
    }
    const efficiency = median(cpuReference.map((x, i) => x / cpuOurs[i]!));

    const pairedRatio = (a: LoadResult[], b: LoadResult[], key: 'rps' | 'p99') => median(a.map((r, i) => r[key] / b[i]![key]));
    const perRound = (results: LoadResult[], key: 'rps' | 'p99' = 'rps') => results.map((r) => r[key].toFixed(key === 'rps' ? 0 : 1)).join('/');
    const med = (results: LoadResult[], key: 'rps' | 'p99') => median(results.map((r) => r[key]));
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const sum = (key: 'non3xx' | 'errors') => [...ours, ...oursAgain].reduce((n, r) => n + r[key], 0);
    const throughput = pairedRatio(ours, reference, 'rps');
    const tail = pairedRatio(ours, reference, 'p99');
    const ofBare = (results: LoadResult[]) => pairedRatio(results, base, 'rps').toFixed(2);
    return [
      `join redirect: ${med(ours, 'rps').toFixed(0)} req/s vs plain Fastify with its default logging ${med(reference, 'rps').toFixed(0)} req/s → throughput ratio ${throughput.toFixed(2)} (target ≥ 1.00) ${verdict(throughput >= 1)}`,
      `join redirect: p99 ${med(ours, 'p99').toFixed(2)} ms vs ${med(reference, 'p99').toFixed(2)} ms → p99 ratio ${tail.toFixed(2)} (target ≤ 1.20) ${verdict(tail <= 1.2)}; non-302 ${sum('non3xx')}, errors ${sum('errors')}`,
      `join redirect vs bare 302 without logging (framework ceiling, no target): ${med(base, 'rps').toFixed(0)} req/s → throughput ratio ${pairedRatio(oursAgain, base, 'rps').toFixed(2)}, p99 ratio ${pairedRatio(oursAgain, base, 'p99').toFixed(2)}`,
      `join redirect side by side with plain Fastify logged at ${rate} req/s each (no target, a check on the throughput ratio): CPU per request ${median(cpuOurs).toFixed(1)} µs vs ${median(cpuReference).toFixed(1)} µs → efficiency ratio ${efficiency.toFixed(2)} (per round ${cpuReference.map((x, i) => (x / cpuOurs[i]!).toFixed(2)).join('/')})`,
      `references of bare: + request id, child logger, histogram ${ofBare(skeleton)} (${med(skeleton, 'rps').toFixed(0)} req/s); the same + our access-log line ${ofBare(accessLog)} (${med(accessLog, 'rps').toFixed(0)} req/s)`,
      `join redirect: ratios are medians of ${pairs} back-to-back pairs and ${rounds} rounds of ${seconds} s (side by side: ${sideRounds} rounds of ${2 * seconds} s); per pair req/s ours ${perRound(ours)}, plain Fastify logged ${perRound(reference)}, p99 ms ours ${perRound(ours, 'p99')}, plain ${perRound(reference, 'p99')}; per round ours ${perRound(oursAgain)}, bare ${perRound(base)}, with access log ${perRound(accessLog)}, without ${perRound(skeleton)}`,
    ];
  } finally {
    for (const server of started.reverse()) await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchJoinRedirect()) console.log(line);
