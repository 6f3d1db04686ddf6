import { performance } from 'node:perf_hooks';
import { benchAuth, median, openProgramme, ratio, startInProcessApp } from './lib.js';

const BULK = 10_000;
const SMALL = 100;
const SMALL_RUNS = 5;

const people = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ name: `Person ${i} ${tag}`, email: `p${i}.${tag}@bulk.example` }));

/**
 * One POST registering 10,000 new participants (validation, Redis writes, signed links for each, response
 * serialisation), timed with the RSS peak sampled every 5 ms. Baseline: the median of 5 POSTs of 100 new
 * participants each, times 100: a ratio near 1 means the large request costs no more per participant.
 */
export async function benchParticipantsBulk(): Promise<string[]> {
  const run = await startInProcessApp('bulk');
  try {
    const { app } = run;
    const put = await app.inject({ method: 'PUT', url: '/api/v1/events/bulk', headers: benchAuth, payload: openProgramme('bulk') });
    if (put.statusCode >= 300) throw new Error(`programme PUT answered ${put.statusCode}`);
    const post = async (participants: ReturnType<typeof people>) => {
      const started = performance.now();
      const res = await app.inject({ method: 'POST', url: '/api/v1/events/bulk/participants', headers: benchAuth, payload: { participants } });
      const ms = performance.now() - started;
      if (res.statusCode !== 201) throw new Error(`participants POST answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      return ms;
    };

    await post(people(SMALL, 'warmup'));
    const small: number[] = [];
    for (let i = 0; i < SMALL_RUNS; i += 1) small.push(await post(people(SMALL, `small${i}`)));
    const baseline = median(small) * (BULK / SMALL);

    const payload = people(BULK, 'bulk');
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 5);
    let ms: number;
    try {
      ms = await post(payload);
    } finally {
      clearInterval(sampler);
    }
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    return [
      `participants bulk: ${BULK} in one POST: ${ms.toFixed(0)} ms (target ≤ 2000), RSS +${mb(rssPeak - rssBefore)} MB at peak (target ≤ +100; ${mb(rssBefore)} → ${mb(rssPeak)} MB)`,
      `participants bulk: baseline ${SMALL} per POST ×${BULK / SMALL} = ${baseline.toFixed(0)} ms (median of ${SMALL_RUNS}: ${median(small).toFixed(1)} ms) → time ratio ${ratio(ms, baseline)}`,
    ];
  } finally {
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchParticipantsBulk()) console.log(line);
