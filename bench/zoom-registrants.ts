// 3,000 registrants against the Zoom simulator at Pro-plan HEAVY limits (10 requests/s, 30 per call):
// total time against the theoretical minimum (100 calls at 10/s), the number of 429s, and duplicates.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/env.js';
import { programmeSchema } from '../src/domain/programme.js';
import { createApi } from '../src/composition/api.js';
import { createCore } from '../src/composition/core.js';
import { createWorker } from '../src/composition/worker.js';
import { createLogger } from '../src/logger.js';
import { startZoomSimulator } from '../simulators/zoom/zoom-simulator.js';
import { startJobRunner } from '../src/workers/job-runner.js';
import { deletePrefix } from './lib.js';

const COUNT = 3000;
const PER_CALL = 30;
const HEAVY_PER_SECOND = 10;

export async function benchZoomRegistrants(): Promise<string[]> {
  const credentials = { accountId: 'bench-account', clientId: 'bench-client', clientSecret: 'bench-client-secret-0123456789' };
  const zoom = await startZoomSimulator({ ...credentials, host: '127.0.0.1', port: 0, plan: 'pro' });
  const prefix = `bench-zoom-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    ORGANIZER_TOKENS: 'bench-organizer-token-0123456789',
    LINK_SIGNING_KEYS: 'bench:bench-signing-secret-0123456789abcdef',
    ZOOM_ACCOUNT_ID: credentials.accountId,
    ZOOM_CLIENT_ID: credentials.clientId,
    ZOOM_CLIENT_SECRET: credentials.clientSecret,
    ZOOM_API_URL: zoom.apiUrl,
    ZOOM_OAUTH_URL: zoom.oauthUrl,
    ZOOM_PLAN: 'pro',
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  });
  const core = await createCore(config, createLogger('warn'));
  const api = createApi(core);
  const workerParts = createWorker(core);
  const worker = await startJobRunner(workerParts.runner);
  try {
    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await core.events.put(programmeSchema.parse({
      id: 'bench',
      title: 'Bench conference',
      timezone: 'UTC',
      joinOpensMinutesBefore: 15,
      days: [{ date, kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Opening', start: '10:00', end: '11:00' }] }],
    }));
    const roomId = `zoom-${date}`;
    while ((await core.stores.rooms.get('bench', roomId))?.status !== 'ready') await new Promise((r) => setTimeout(r, 50));
    const webinarId = Number((await core.stores.rooms.get('bench', roomId))?.webinarId);

    const started = performance.now();
    await api.app.participants.add(
      'bench',
      Array.from({ length: COUNT }, (_, i) => ({ name: `Person ${i}`, email: `p${i}@bench.example`, role: 'participant' as const })),
    );
    const registrants = () => zoom.state.registrants.get(webinarId) ?? [];
    const deadline = Date.now() + 120_000;
    while (registrants().length < COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Everyone has a stored personal link once the last batch job has recorded its answer.
    while ((await core.stores.zoom.allRegistrations('bench', roomId)).size < COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const seconds = (performance.now() - started) / 1000;

    const emails = registrants().map((r) => r.email);
    const duplicates = emails.length - new Set(emails).size;
    const batchCalls = zoom.calls.filter((c) => c.path.endsWith('/batch_registrants') && c.status === 201);
    const calls = batchCalls.length;
    const startedWall = Date.now() - seconds * 1000;
    const firstAt = ((batchCalls[0]?.at ?? startedWall) - startedWall) / 1000;
    const lastAt = ((batchCalls.at(-1)?.at ?? startedWall) - startedWall) / 1000;
    // At 10 calls per one-second window, 100 calls fill 10 windows; the last window opens at 9 s, the
    // earliest moment the last call can be made.
    const minimum = (Math.ceil(COUNT / PER_CALL) - HEAVY_PER_SECOND) / HEAVY_PER_SECOND;
    return [
      `zoom registrants: ${new Set(emails).size}/${COUNT} registered in ${seconds.toFixed(1)} s with ${calls} batch calls; theoretical minimum ${minimum.toFixed(1)} s (last call's earliest start) → ratio ${(seconds / minimum).toFixed(2)} (target ≤ 1.10)`,
      `zoom registrants: 429 answers ${zoom.count429}, duplicate registrants ${duplicates} (target 0)`,
      `zoom registrants: first batch call at ${firstAt.toFixed(2)} s, last at ${lastAt.toFixed(2)} s → paced span ${(lastAt - firstAt).toFixed(2)} s for ${calls} calls`,
    ];
  } finally {
    await worker.close();
    workerParts.close();
    await deletePrefix(core.redis, prefix);
    await api.close();
    await core.close();
    await zoom.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchZoomRegistrants()) console.log(line);
