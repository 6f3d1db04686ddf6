import { afterEach, describe, expect, it } from 'vitest';
import { scanKeys } from '../../src/store/redis.js';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { postParticipantNotification } from '../helpers/zoom-notification.js';

/**
 * Erasure reaches what Zoom's notifications recorded under a registrant id also when the worker cancelled that
 * registration before (a plain removal first), or cancels it only after the erasure; either way Zoom gets the cancel once.
 */
const SECRET = 'zoom-webhook-secret-erasure-after-removal-0123';
const EVENT = 'erase-later';
const programme = {
  id: EVENT,
  title: 'Erasure after removal',
  timezone: 'Europe/Vienna',
  // 10:00–11:00 Vienna = 08:00–09:00Z.
  days: [{ date: '2030-06-05', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Opening', start: '10:00', end: '11:00' }] }],
};
const ROLF = { name: 'Rolf Removed', email: 'rolf.removed@example.org' };
const ANA = { name: 'Ana Keeps', email: 'ana.keeps@example.org' };

let s: Stack | undefined;
let roomId = '';
let zoom: ZoomSimulator | undefined;
afterEach(async () => {
  await s?.close();
  await zoom?.close();
  s = undefined;
  zoom = undefined;
});

type Person = { id: string; email: string };
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object) =>
  s!.app.inject({ method, url: `/api/v1/events/${EVENT}${path}`, headers: auth, ...(payload === undefined ? {} : { payload }) });
const registrant = (webinarId: number, email: string) => zoom!.state.registrants.get(webinarId)?.find((r) => r.email === email);
const cancels = () => zoom!.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/registrants/status') && c.status === 204).length;

async function readyWebinar(): Promise<number> {
  expect((await api('PUT', '', programme)).statusCode).toBe(201);
  await expect.poll(async () => (await api('GET', '/provisioning')).json().rooms[0]?.status, { timeout: 10_000 }).toBe('ready');
  roomId = (await api('GET', '/provisioning')).json().rooms[0].id;
  return Number((await api('GET', '/provisioning')).json().rooms[0].webinarId);
}

async function addRegistered(webinarId: number, people: ReadonlyArray<{ name: string; email: string }>): Promise<Person[]> {
  const added = (await api('POST', '/participants', { notify: false, participants: people })).json().participants as Person[];
  await expect.poll(() => people.every((p) => registrant(webinarId, p.email)?.status === 'approved'), { timeout: 10_000 }).toBe(true);
  // The worker saves the registration after Zoom answered.
  await expect.poll(async () => (await Promise.all(added.map(async (p) => (await api('GET', `/participants/${p.id}/export`)).json().zoom.length))).every((n: number) => n === 1), { timeout: 5000 }).toBe(true);
  return added;
}

const notify = (webinarId: number, kind: 'joined' | 'left', who: { registrantId: string; name: string; email: string }, at: string) =>
  postParticipantNotification(s!.app, SECRET, { webinarId, kind, ...who, at });

async function attended(webinarId: number, person: { name: string; email: string }) {
  const registrantId = registrant(webinarId, person.email)!.id;
  expect((await notify(webinarId, 'joined', { registrantId, ...person }, '2030-06-05T08:00:00Z')).json()).toEqual({ status: 'recorded' });
  expect((await notify(webinarId, 'left', { registrantId, ...person }, '2030-06-05T08:45:00Z')).json()).toEqual({ status: 'recorded' });
  return registrantId;
}

/** Every key of this stack and its value, as text: queues, jobs and stores alike. */
async function everything(): Promise<string> {
  const redis = s!.deps.redis;
  const parts: string[] = [];
  for (const key of await scanKeys(redis, `${s!.prefix}*`)) {
    const type = await redis.type(key);
    parts.push(key);
    if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'string') parts.push(String(await redis.get(key)));
    else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    else parts.push(`<${type}>`);
  }
  return parts.join('\n');
}

const totals = async () => (await api('GET', '/attendance')).json().totals;

describe('erasing a participant whose Zoom registration is cancelled apart from the erasure', () => {
  it('removed plainly and cancelled first: erasure still removes what Zoom reported under their registrant id', async () => {
    zoom = await startZoomServer();
    s = await startStack({ zoom, worker: true, env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
    const webinarId = await readyWebinar();
    const [rolf] = await addRegistered(webinarId, [ROLF, ANA]);
    const registrantId = await attended(webinarId, ROLF);
    await attended(webinarId, ANA);

    expect((await api('DELETE', `/participants/${rolf!.id}`)).statusCode).toBe(204);
    await expect.poll(() => registrant(webinarId, ROLF.email)?.status, { timeout: 10_000 }).toBe('cancelled');
    // The cancel is done once the registration, with the address it carried, is gone from the store.
    await expect.poll(async () => (await s!.deps.stores.zoom.registration(EVENT, roomId, rolf!.id)) === undefined, { timeout: 5000 }).toBe(true);
    const stored = await everything();
    // What a plain removal keeps: Zoom's notifications, name and address included.
    expect(stored).toContain(ROLF.name);
    expect(stored).toContain(registrantId);
    const before = await totals();
    expect(before).toMatchObject({ attendees: 1, minutes: 45 });

    expect((await api('DELETE', `/participants/${rolf!.id}?erase=true`)).statusCode).toBe(204);

    const left = await everything();
    for (const mark of [ROLF.name, ROLF.email, registrantId]) expect(left).not.toContain(mark);
    expect(left).toContain(ANA.name);
    expect(await totals()).toEqual(before);
    expect((await api('DELETE', `/participants/${rolf!.id}?erase=true`)).statusCode).toBe(404);

    // Another sync runs (someone new is registered) and cancels nobody a second time.
    await addRegistered(webinarId, [{ name: 'Nia New', email: 'nia.new@example.org' }]);
    expect(cancels()).toBe(1);
  });

  it('erased before the worker cancels: the cancel still reaches Zoom once, by registrant id, and leaves nothing behind', async () => {
    zoom = await startZoomServer();
    s = await startStack({ zoom, worker: true, env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
    const webinarId = await readyWebinar();
    const [rolf] = await addRegistered(webinarId, [ROLF, ANA]);
    const registrantId = await attended(webinarId, ROLF);
    await attended(webinarId, ANA);

    await s.deps.queues.get('zoom').pause();
    expect((await api('DELETE', `/participants/${rolf!.id}?erase=true`)).statusCode).toBe(204);
    // Only the registrant id is left for the cancel to come.
    const pending = await s.deps.stores.zoom.registration(EVENT, roomId, rolf!.id);
    expect(pending).toMatchObject({ registrantId });
    expect(pending?.email).toBeUndefined();
    const waiting = await everything();
    for (const mark of [ROLF.name, ROLF.email]) expect(waiting).not.toContain(mark);
    await s.deps.queues.get('zoom').resume();

    await expect.poll(() => registrant(webinarId, ROLF.email)?.status, { timeout: 10_000 }).toBe('cancelled');
    await expect.poll(async () => (await s!.deps.stores.zoom.registration(EVENT, roomId, rolf!.id)) === undefined, { timeout: 5000 }).toBe(true);
    const left = await everything();
    for (const mark of [ROLF.name, ROLF.email, registrantId]) expect(left).not.toContain(mark);
    expect(registrant(webinarId, ANA.email)?.status).toBe('approved');
    await addRegistered(webinarId, [{ name: 'Nia New', email: 'nia.new@example.org' }]);
    expect(cancels()).toBe(1);
  });
});

