import { load, ratio, startServerProcess } from './lib.js';

/** Join redirect with the room running vs a bare Fastify 302, same machine and run, 100 connections. */
export async function benchJoinRedirect(seconds = Number(process.env.BENCH_SECONDS ?? 8)): Promise<string[]> {
  const bare = await startServerProcess('bench/servers/bare-302.ts');
  const join = await startServerProcess('bench/servers/join-server.ts');
  try {
    await load(bare.url, 2);
    await load(join.url, 2);
    const base = await load(bare.url, seconds);
    const ours = await load(join.url, seconds);
    return [
      `join redirect: ${ours.rps.toFixed(0)} req/s vs bare 302 ${base.rps.toFixed(0)} req/s → throughput ratio ${ratio(ours.rps, base.rps)} (target ≥ 0.80)`,
      `join redirect: p99 ${ours.p99} ms vs bare ${base.p99} ms → p99 ratio ${ratio(ours.p99, Math.max(base.p99, 1))} (target ≤ 1.5); non-302 ${ours.non3xx}, errors ${ours.errors}`,
    ];
  } finally {
    await join.stop();
    await bare.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchJoinRedirect()) console.log(line);
