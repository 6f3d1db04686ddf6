import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { programmeAroundNow } from '../../demo/programme-around-now.js';
import type { ProgrammeInput } from '../../src/domain/programme.js';
import { startBbbServer, type BbbSimulator } from '../fakes/bbb-server.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { ChildService } from '../helpers/child-service.js';
import { findLeaks, linkSecrets } from '../helpers/log-audit.js';
import { freePort } from '../helpers/own-redis.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { SentinelGroup } from '../helpers/sentinel-group.js';
import { ORGANIZER_TOKEN } from '../helpers/test-config.js';
import { childEnv, childPrefix, person, sleep } from './fixtures.js';

/**
 * The failover test (#14): a Sentinel group of real redis-server processes (a primary with the
 * append-only file, two replicas, three sentinels) and the service as separate API and worker child
 * processes pointed at the sentinels. While participants are registered, joins followed and Zoom
 * registration runs, the primary is SIGKILLed; later it comes back (as a replica) and the new primary is
 * killed too. Nothing answered 201 may be lost, nothing may answer 500, and the end state must be complete.
 */
const EVENT = 'ha-evt';
const PANELISTS = 2;
const FIRST_WAVE = 60;
const WARM = 20;
/** The service's own bound for a request: nothing may take longer, even while there is no primary. */
const REQUEST_LIMIT_MS = 10_000;
/** Sentinels call a silent primary down after this; shorter ones fail over healthy primaries on a busy machine. */
const DOWN_AFTER_MS = 3000;

type Issued = { id: string; email: string; links: { page: string; join: Record<string, string> } };
type Outcome = { kind: 'post' | 'join' | 'ready'; at: number; ms: number; status: number; retryAfter?: string; error?: string };

let group: SentinelGroup;
let bbb: BbbSimulator;
let zoom: ZoomSimulator;
let proxy: RecordingProxy;
let api: ChildService;
let worker: ChildService;
let base: string;
const childLogs: string[] = [];
const issued = new Map<string, Issued>();
/** Everyone ever sent in a POST: a write answered 503 may still have been stored (it was never acknowledged). */
const attempted = new Set<string>();
let next = 0;
let academySession = '';
const organizer = { authorization: `Bearer ${ORGANIZER_TOKEN}`, 'content-type': 'application/json' };

/** An academy day today with a session open for joining now, and a conference day tomorrow. */
const source: ProgrammeInput = {
  id: EVENT,
  title: 'Failover 2030',
  timezone: 'Europe/Vienna',
  joinOpensMinutesBefore: 15,
  days: [
    {
      date: '2030-06-03',
      kind: 'academy',
      title: 'Academy day',
      sessions: [
        { id: 'a-open', title: 'Opening', start: '09:00', end: '10:30' },
        { id: 'a-late', title: 'Later', start: '11:00', end: '12:30' },
      ],
    },
    {
      date: '2030-06-04',
      kind: 'conference',
      title: 'Conference',
      sessions: [{ id: 'c-open', title: 'Opening', start: '10:00', end: '11:00' }],
      interpretation: { languages: ['en', 'de'], interpreters: [{ email: 'de@interpreters.example', from: 'en', to: 'de' }] },
    },
  ],
};

async function call(kind: Outcome['kind'], method: string, path: string, body?: unknown): Promise<Outcome & { body: string }> {
  const at = Date.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_LIMIT_MS),
      ...(body === undefined ? {} : { headers: organizer, body: JSON.stringify(body) }),
      ...(path.startsWith('/api/') && body === undefined ? { headers: { authorization: organizer.authorization } } : {}),
    });
    const text = await res.text();
    const retryAfter = res.headers.get('retry-after');
    return { kind, at, ms: Date.now() - at, status: res.status, ...(retryAfter ? { retryAfter } : {}), body: text };
  } catch (error) {
    return { kind, at, ms: Date.now() - at, status: 0, error: (error as Error).message, body: '' };
  }
}

const path = (url: string) => new URL(url).pathname;

async function register(count: number, role?: 'panelist'): Promise<Outcome & { body: string }> {
  const people = Array.from({ length: count }, () => person(++next, role));
  for (const p of people) attempted.add(p.email);
  const res = await call('post', 'POST', `/api/v1/events/${EVENT}/participants`, { participants: people });
  if (res.status === 201) for (const p of (JSON.parse(res.body) as { participants: Issued[] }).participants) issued.set(p.email, p);
  return res;
}

const rooms = async () =>
  JSON.parse((await call('ready', 'GET', `/api/v1/events/${EVENT}/provisioning`)).body || '{"rooms":[]}').rooms as Array<{ id: string; provider: string; status: string; webinarId?: string }>;
const webinarId = async () => Number((await rooms()).find((r) => r.provider === 'zoom')?.webinarId);
const isPanelist = (email: string) => Number(/person-(\d+)@/.exec(email)?.[1]) <= PANELISTS;
const attendees = () => [...issued.keys()].filter((email) => !isPanelist(email));

/**
 * Participant POSTs (5 new people each), joins of people this API process already let in, and /readyz,
 * each in its own loop until stopped.
 */
function startTraffic(warm: Issued[]) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loop = async (step: () => Promise<Outcome>, pauseMs: number) => {
    while (running) {
      outcomes.push(await step());
      await sleep(pauseMs);
    }
  };
  let i = 0;
  const loops = [
    loop(() => register(5), 50),
    loop(() => call('join', 'GET', path(warm[i++ % warm.length]!.links.join[academySession]!)), 20),
    loop(() => call('join', 'GET', path(warm[(i + 7) % warm.length]!.links.join[academySession]!)), 20),
    loop(() => call('ready', 'GET', '/readyz'), 100),
  ];
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

beforeAll(async () => {
  const started = Date.now();
  [group, bbb, zoom] = await Promise.all([SentinelGroup.start({ replicas: 2, sentinels: 3, downAfterMs: DOWN_AFTER_MS }), startBbbServer({ emptyMeetingExpiryMs: 30 * 60_000 }), startZoomServer({ plan: 'business' })]);
  proxy = await startRecordingProxy(zoom.origin);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // REDIS_URL names a port nobody listens on: with REDIS_SENTINELS only the sentinels say where Redis is.
  const env = childEnv({
    prefix: childPrefix('ha'),
    redisUrl: 'redis://127.0.0.1:1/0',
    bbbUrl: bbb.url,
    zoomUrl: proxy.url,
    extra: { REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_NAME: group.name, RECONCILE_INTERVAL_SECONDS: '10', LOG_LEVEL: 'info' },
  });
  api = new ChildService('src/server.ts', { ...env, ROLE: 'api', PORT: String(port), HOST: '127.0.0.1', ORGANIZER_TOKENS: ORGANIZER_TOKEN }, childLogs);
  worker = new ChildService('src/server.ts', { ...env, ROLE: 'worker' }, childLogs);
  await Promise.all([api.waitUntilStarted(30_000), worker.waitUntilStarted(30_000)]);

  const programme = programmeAroundNow(source, new Date(), 5);
  academySession = 'a-open';
  expect((await call('post', 'PUT', `/api/v1/events/${EVENT}`, programme)).status).toBe(201);
  expect((await register(PANELISTS, 'panelist')).status).toBe(201);
  expect((await register(FIRST_WAVE)).status).toBe(201);
  await vi.waitFor(async () => expect((await rooms()).map((r) => r.status)).toEqual(['ready', 'ready']), { timeout: 30_000, interval: 200 });
  await vi.waitFor(async () => expect(zoom.state.registrants.get(await webinarId())?.length ?? 0).toBe(attendees().length), { timeout: 30_000, interval: 200 });
  console.log(`[sentinel] group, simulators, API and worker up and provisioned in ${Date.now() - started} ms`);
}, 90_000);

afterAll(async () => {
  // The children's logs, for a failure's post-mortem (test-results/ is not committed).
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/sentinel-failover.log', childLogs.join(''));
  await Promise.all([api?.stop('SIGKILL').catch(() => undefined), worker?.stop('SIGKILL').catch(() => undefined)]);
  await group?.destroy();
  await proxy?.close();
  await zoom?.close();
  await bbb?.close();
});

/** Kills the primary under traffic; returns what the clients saw and when things came back. */
async function failover(round: number, onKilled: (port: number) => void = () => undefined) {
  const warm = [...issued.values()].filter((p) => !isPanelist(p.email)).slice(0, WARM);
  for (const p of warm) expect((await call('join', 'GET', path(p.links.join[academySession]!))).status).toBe(302);
  const traffic = startTraffic(warm);
  await sleep(1500);
  const killedPort = await group.killPrimary();
  const killedAt = Date.now();
  onKilled(killedPort);
  const promotedPort = await group.waitForPromotion(killedPort);
  const promotedMs = Date.now() - killedAt;
  const firstWrite = () => traffic.outcomes.find((o) => o.kind === 'post' && o.status === 201 && o.at > killedAt);
  const deadline = killedAt + 30_000;
  while (!firstWrite() && Date.now() < deadline) await sleep(50);
  await sleep(2000);
  const outcomes = await traffic.stop();
  const write = firstWrite();
  const after = outcomes.filter((o) => o.at > killedAt);
  const readyAgain = after.find((o) => o.kind === 'ready' && o.status === 200 && after.some((p) => p.kind === 'ready' && p.status === 503 && p.at < o.at));
  const count = (kind: Outcome['kind'], status: number) => outcomes.filter((o) => o.kind === kind && o.status === status).length;
  console.log(
    `[sentinel] round ${round}: primary ${killedPort} killed, ${promotedPort} promoted after ${promotedMs} ms; ` +
      `first 201 ${write ? write.at + write.ms - killedAt : '—'} ms after the kill, /readyz 200 again after ${readyAgain ? readyAgain.at - killedAt : '—'} ms; ` +
      `POST 201×${count('post', 201)} 503×${count('post', 503)}, joins 302×${count('join', 302)}, /readyz 503×${count('ready', 503)}; ` +
      `slowest request ${Math.max(...outcomes.map((o) => o.ms))} ms`,
  );

  expect(promotedPort).not.toBe(killedPort);
  // Recovered without a restart, within 30 s of the kill.
  expect(write, 'no participant POST succeeded within 30 s of the kill').toBeDefined();
  expect(write!.at + write!.ms - killedAt).toBeLessThan(30_000);
  expect(api.running && worker.running).toBe(true);
  // Never a 500, a hang or a dropped connection; a refused write always says when to try again.
  expect(outcomes.filter((o) => o.status === 0)).toEqual([]);
  expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([]);
  expect(outcomes.filter((o) => o.kind !== 'ready' && o.status === 503 && !o.retryAfter)).toEqual([]);
  expect(outcomes.filter((o) => o.kind === 'post' && o.status !== 201 && o.status !== 503)).toEqual([]);
  // /readyz said so while there was no primary, and recovered by itself.
  expect(readyAgain, '/readyz did not go 503 and back to 200').toBeDefined();
  // People this process had let in kept getting in from its caches throughout.
  expect(outcomes.filter((o) => o.kind === 'join' && o.status !== 302)).toEqual([]);
}

/** Every participant answered 201 is there with the same id and links; everyone is at Zoom once; rooms are ready. */
async function checkEndState(): Promise<void> {
  const everyone = [...issued.values()];
  for (let i = 0; i < everyone.length; i += 100) {
    const batch = everyone.slice(i, i + 100);
    // The same emails again: an existing participant comes back unchanged, a lost one would get a new id.
    const again = { participants: batch.map((p) => ({ name: 'Again', email: p.email, ...(isPanelist(p.email) ? { role: 'panelist' } : {}) })) };
    let res = await call('post', 'POST', `/api/v1/events/${EVENT}/participants`, again);
    // Right after a failover the new primary refuses writes (NOREPLICAS) until its replica has caught up.
    for (let tries = 0; res.status === 503 && tries < 120; tries++) {
      await sleep(250);
      res = await call('post', 'POST', `/api/v1/events/${EVENT}/participants`, again);
    }
    expect(res.status, res.body).toBe(201);
    const back = new Map((JSON.parse(res.body) as { participants: Issued[] }).participants.map((p) => [p.email, p]));
    for (const p of batch) expect(back.get(p.email)?.id, `${p.email} was answered 201 and then lost`).toBe(p.id);
    for (const p of batch) expect(back.get(p.email)?.links).toEqual(p.links);
  }
  for (const p of everyone.filter((_, i) => i % 25 === 0)) {
    expect((await call('join', 'GET', path(p.links.page))).status).toBe(200);
    const join = await call('join', 'GET', path(p.links.join[academySession]!));
    expect(join.status).toBe(302);
  }

  // Zoom has every attendee answered 201, and nobody who was never sent; a POST answered 503 may or may not have stored its people.
  const acknowledged = attendees();
  const id = await webinarId();
  const atZoomNow = () => new Set((zoom.state.registrants.get(id) ?? []).map((r) => r.email.toLowerCase()));
  await expect.poll(() => acknowledged.filter((email) => !atZoomNow().has(email)), { timeout: 90_000, interval: 500 }).toEqual([]);
  expect([...atZoomNow()].filter((email) => !attempted.has(email) || isPanelist(email))).toEqual([]);
  const atZoom = (zoom.state.registrants.get(id) ?? []).map((r) => r.email.toLowerCase());
  expect(atZoom.length).toBe(new Set(atZoom).size);
  expect(zoom.state.webinars.size).toBe(1);
  // What reached Zoom: each attendee added by exactly one successful batch call, failovers or not.
  const adds = new Map<string, number>();
  for (const c of proxy.calls.filter((c) => c.path.endsWith('/batch_registrants') && c.status === 201)) {
    for (const r of (JSON.parse(c.requestBody) as { registrants: Array<{ email: string }> }).registrants) adds.set(r.email.toLowerCase(), (adds.get(r.email.toLowerCase()) ?? 0) + 1);
  }
  expect([...adds].filter(([, n]) => n > 1)).toEqual([]);
  expect((zoom.state.panelists.get(id) ?? []).length).toBe(PANELISTS);
  await expect.poll(async () => (await rooms()).map((r) => `${r.provider}:${r.status}`).sort(), { timeout: 30_000, interval: 250 }).toEqual(['bbb:ready', 'zoom:ready']);
  const bbbRoom = (await rooms()).find((r) => r.provider === 'bbb')?.id;
  expect([...bbb.meetings.keys()]).toEqual([`${EVENT}--${bbbRoom}`]);
}

describe('Redis Sentinel failover under load (API and worker as child processes)', () => {
  let firstKilled = 0;

  it('loses no acknowledged write, answers no 500 and recovers by itself when the primary is SIGKILLed', { timeout: 180_000 }, async () => {
    await failover(1, (port) => (firstKilled = port));
    await checkEndState();
  });

  it('takes the old primary back as a replica and survives a second failover', { timeout: 180_000 }, async () => {
    expect(firstKilled).toBeGreaterThan(0);
    await group.restart(firstKilled);
    // Sentinel turns it into a replica of the new primary, which then has two again.
    await group.waitForReplicas(2, 60_000);
    await failover(2);
    await checkEndState();
  });

  it('wrote no secret or personal token to any log', () => {
    const registrantTokens = [...zoom.state.registrants.values()].flat().map((r) => r.token);
    expect(findLeaks(childLogs, [...linkSecrets([...issued.values()].map((p) => p.links.page)), ...registrantTokens])).toEqual([]);
  });
});
