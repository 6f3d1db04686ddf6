// Serves the real join route with its room running, for bench/join-redirect.ts. Prints {"url": …} when ready.
import { loadConfig } from '../../config/env.js';
import { buildApp } from '../../src/app.js';
import { createApi } from '../../src/composition/api.js';
import { createCore } from '../../src/composition/core.js';
import { createLogger } from '../../src/logger.js';
import { deleteMatching } from '../../src/store/redis.js';
import { startBbbSimulator } from '../../simulators/bbb/bbb-simulator.js';
import { pino } from 'pino';
import { serveForBench } from './serve.js';

const token = 'bench-organizer-token-0123456789';
const bbb = await startBbbSimulator({ secret: 'bench-bbb-secret', host: '127.0.0.1', port: 0 });
const config = loadConfig({
  ORGANIZER_TOKENS: token,
  LINK_SIGNING_KEYS: 'bench:bench-signing-secret-0123456789abcdef',
  BBB_URL: bbb.url,
  BBB_SECRET: 'bench-bbb-secret',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  PUBLIC_BASE_URL: 'http://127.0.0.1',
});
// Production logging at info, written synchronously as the service writes to stdout, but to /dev/null so
// the terminal does not slow the run.
const logger = createLogger(config.logLevel, pino.destination({ dest: '/dev/null', sync: true }));
const prefix = `bench:${process.pid}`;
const core = await createCore(config, logger, { keyPrefix: prefix });
const api = createApi(core);
const app = await buildApp(api.app);
const headers = { authorization: `Bearer ${token}` };

const now = new Date();
const date = now.toISOString().slice(0, 10);
const hhmm = (d: Date) => d.toISOString().slice(11, 16);
const end = new Date(Math.min(now.getTime() + 3600_000, Date.parse(`${date}T23:59:00Z`)));
await app.inject({
  method: 'PUT',
  url: '/api/v1/events/bench',
  headers,
  payload: {
    id: 'bench',
    title: 'Benchmark',
    timezone: 'UTC',
    joinOpensMinutesBefore: 240,
    days: [{ date, kind: 'academy', title: 'Bench day', sessions: [{ id: 's1', title: 'Session', start: hhmm(now) <= hhmm(end) ? hhmm(now) : '00:00', end: hhmm(end) === hhmm(now) ? '23:59' : hhmm(end) }] }],
  },
});
const res = await app.inject({ method: 'POST', url: '/api/v1/events/bench/participants', headers, payload: { participants: [{ name: 'Bench Person', email: 'bench@example.org' }] } });
const joinPath = new URL(res.json().participants[0].links.join.s1).pathname;
// One real join keeps the room running, as during a session.
const first = await app.inject({ method: 'GET', url: joinPath });
if (first.statusCode !== 302) throw new Error(`priming join answered ${first.statusCode}: ${first.body.slice(0, 200)}`);
await fetch(first.headers.location as string, { redirect: 'manual' });

await serveForBench(app, joinPath, async () => {
  await api.close();
  // The run's keys go with it: the Redis is shared.
  await deleteMatching(core.redis, `${prefix}:*`).catch(() => undefined);
  await core.close();
  await bbb.close();
});
