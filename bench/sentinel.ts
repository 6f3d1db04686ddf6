import { performance } from 'node:perf_hooks';
import { SentinelGroup } from '../test/helpers/sentinel-group.js';
import { benchAuth, median, openProgramme, ratio, startInProcessApp, type InProcessApp } from './lib.js';

const BATCH = 100;
const CLIENTS = 4;
const BATCHES_PER_ROUND = 40;
const ROUNDS = 3;
const FAILOVERS = 5;
const DOWN_AFTER_MS = 2000;

const people = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ name: `Person ${i} ${tag}`, email: `p${i}.${tag}@ha.example` }));

async function post(run: InProcessApp, eventId: string, participants: ReturnType<typeof people>): Promise<number> {
  const res = await run.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/participants`, headers: benchAuth, payload: { participants } });
  return res.statusCode;
}

/** Participants stored per second: CLIENTS concurrent clients posting BATCHES_PER_ROUND new batches of 100. */
async function throughput(run: InProcessApp, eventId: string, tag: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < BATCHES_PER_ROUND) {
        const n = next++;
        const status = await post(run, eventId, people(BATCH, `${tag}-${n}`));
        if (status !== 201) throw new Error(`participants POST answered ${status}`);
      }
    }),
  );
  return (BATCHES_PER_ROUND * BATCH) / ((performance.now() - started) / 1000);
}

/**
 * On a real Sentinel group of this machine (a primary with AOF, two replicas, three sentinels; their own
 * processes on loopback): participant POSTs of 100 with the durability rule (WAIT 1) against the same
 * without it, in one run and on the same group, alternating rounds; then the recovery time of a primary
 * SIGKILLed FAILOVERS times (kill → first participant POST answered 201, through the same API process).
 */
export async function benchSentinel(): Promise<string[]> {
  const group = await SentinelGroup.start({ replicas: 2, sentinels: 3, downAfterMs: DOWN_AFTER_MS });
  const env = { REDIS_URL: 'redis://127.0.0.1:1/0', REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_NAME: group.name };
  const withWait = await startInProcessApp('ha-wait', { ...env, REDIS_WAIT_REPLICAS: '1' });
  const without = await startInProcessApp('ha-nowait', { ...env, REDIS_WAIT_REPLICAS: '0' });
  try {
    for (const run of [withWait, without]) {
      const put = await run.app.inject({ method: 'PUT', url: '/api/v1/events/ha', headers: benchAuth, payload: openProgramme('ha') });
      if (put.statusCode >= 300) throw new Error(`programme PUT answered ${put.statusCode}`);
      await throughput(run, 'ha', 'warmup');
    }
    const rates = { wait: [] as number[], none: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating, so a slower moment of the machine falls on both.
      const order = round % 2 === 0 ? (['wait', 'none'] as const) : (['none', 'wait'] as const);
      for (const mode of order) rates[mode].push(await throughput(mode === 'wait' ? withWait : without, 'ha', `r${round}`));
    }
    const [wait, none] = [median(rates.wait), median(rates.none)];
    const lines = [
      `sentinel: participant POSTs of ${BATCH}, ${CLIENTS} clients: WAIT 1 ${wait.toFixed(0)}/s vs no WAIT ${none.toFixed(0)}/s → ratio ${ratio(wait, none)}, cost ${((1 - wait / none) * 100).toFixed(1)} % (target < 20 %)`,
      `sentinel: medians of ${ROUNDS} alternating rounds of ${BATCHES_PER_ROUND * BATCH} participants; per round WAIT ${rates.wait.map((r) => r.toFixed(0)).join('/')}, none ${rates.none.map((r) => r.toFixed(0)).join('/')}`,
    ];

    const recoveries: number[] = [];
    const promotions: number[] = [];
    for (let i = 0; i < FAILOVERS; i++) {
      await group.waitForReplicas(2, 60_000);
      const killed = await group.killPrimary();
      const killedAt = performance.now();
      let n = 0;
      for (;;) {
        if ((await post(withWait, 'ha', people(1, `fo${i}-${n++}`))) === 201) break;
        if (performance.now() - killedAt > 60_000) throw new Error('no write succeeded within 60 s of the kill');
        await new Promise((r) => setTimeout(r, 20));
      }
      recoveries.push(performance.now() - killedAt);
      await group.waitForPromotion(killed);
      promotions.push(performance.now() - killedAt);
      await group.restart(killed);
    }
    lines.push(
      `sentinel: failover recovery (SIGKILL of the primary → first POST answered 201, down-after-milliseconds ${DOWN_AFTER_MS}) over ${FAILOVERS} runs: median ${median(recoveries).toFixed(0)} ms, max ${Math.max(...recoveries).toFixed(0)} ms (target ≤ 30000)`,
      `sentinel: per run ${recoveries.map((ms) => ms.toFixed(0)).join('/')} ms; sentinels agreed on the new primary after ${promotions.map((ms) => ms.toFixed(0)).join('/')} ms`,
    );
    return lines;
  } finally {
    await withWait.close().catch(() => undefined);
    await without.close().catch(() => undefined);
    await group.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchSentinel()) console.log(line);
