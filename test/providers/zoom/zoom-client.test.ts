import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { interpreterLanguagesValue } from '../../../src/domain/interpretation-languages.js';
import { createZoomClient, type ZoomClient } from '../../../src/providers/zoom/zoom-client.js';
import { ZoomApiError } from '../../../src/providers/zoom/zoom-errors.js';
import type { ZoomWebinarBody } from '../../../src/providers/zoom/zoom-schemas.js';
import { deleteKeys, uniquePrefix } from '../../helpers/redis-keys.js';
import { SIM_CREDENTIALS, startZoomServer, type ZoomSimulator } from '../../fakes/zoom-server.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const opened: Array<{ sim: ZoomSimulator; clients: ZoomClient[]; prefix: string }> = [];

async function setup(simOptions: Parameters<typeof startZoomServer>[0] = {}, clientCount = 1) {
  const sim = await startZoomServer(simOptions);
  const prefix = uniquePrefix('zoom-client');
  const clients = Array.from({ length: clientCount }, () =>
    createZoomClient({ ...SIM_CREDENTIALS, apiUrl: sim.apiUrl, oauthUrl: sim.oauthUrl, redis, keyPrefix: prefix, timeoutMs: 2000 }),
  );
  opened.push({ sim, clients, prefix });
  return { sim, clients, client: clients[0] as ZoomClient, prefix };
}

const tokenFetches = (sim: ZoomSimulator) => sim.calls.filter((c) => c.path === '/oauth/token' && c.status === 200).length;

function conferenceBody(overrides: Partial<ZoomWebinarBody['settings']> = {}): ZoomWebinarBody {
  return {
    topic: 'Conference day <main hall>',
    type: 5,
    start_time: '2031-06-10T08:00:00Z',
    timezone: 'Europe/Berlin',
    duration: 480,
    agenda: 'Opening, panels, closing',
    settings: {
      approval_type: 1,
      language_interpretation: {
        enable: true,
        interpreters: [
          { email: 'de@interp.example', interpreter_languages: interpreterLanguagesValue('en', 'de') },
          { email: 'fr@interp.example', interpreter_languages: interpreterLanguagesValue('en', 'fr') },
          { email: 'es@interp.example', interpreter_languages: interpreterLanguagesValue('en', 'es') },
        ],
      },
      ...overrides,
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<ZoomApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZoomApiError);
  return error as ZoomApiError;
}

afterEach(async () => {
  for (const { sim, clients, prefix } of opened.splice(0)) {
    for (const c of clients) c.close();
    await sim.close();
    await deleteKeys(redis, prefix);
  }
});
beforeAll(async () => {
  await redis.ping();
});
afterAll(async () => {
  await redis.quit();
});

describe('zoom client against the simulator', () => {
  it('creates, reads, updates and deletes a webinar with interpretation', async () => {
    const { client, sim } = await setup();
    const created = await client.createWebinar('host@academy.example', conferenceBody());
    expect(Number.isInteger(created.id)).toBe(true);
    expect(created.join_url).toContain(String(created.id));
    expect(created.registration_url).toBeTruthy();
    expect(created.settings?.approval_type).toBe(1);

    const fetched = await client.getWebinar(created.id);
    expect(fetched.uuid).toBe(created.uuid);
    expect(fetched.settings?.language_interpretation?.interpreters?.map((i) => i.interpreter_languages)).toEqual([
      'English,German',
      'English,French',
      'English,Spanish',
    ]);

    await client.updateWebinar(created.id, { topic: 'Renamed', settings: { approval_type: 0 } });
    const updated = await client.getWebinar(String(created.id));
    expect(updated.topic).toBe('Renamed');
    expect(updated.settings?.approval_type).toBe(0);

    expect(await client.deleteWebinar(created.id)).toEqual({ deleted: true });
    expect(await client.deleteWebinar(created.id)).toEqual({ deleted: false });
    const gone = await rejection(client.getWebinar(created.id));
    expect([gone.status, gone.code, gone.permanent]).toEqual([404, 3001, true]);
    expect(sim.state.webinars.size).toBe(0);
  });

  it('shares one token between two clients through Redis and refetches after 401 code 124', async () => {
    const { clients, sim } = await setup({}, 2);
    const [a, b] = clients as [ZoomClient, ZoomClient];
    const w = await a.createWebinar('me', conferenceBody());
    await Promise.all([b.getWebinar(w.id), a.getWebinar(w.id), b.listPanelists(w.id)]);
    expect(tokenFetches(sim)).toBe(1);

    sim.revokeTokens();
    await b.getWebinar(w.id);
    expect(tokenFetches(sim)).toBe(2);
    expect(sim.calls.filter((c) => c.status === 401).length).toBe(1);
    await a.getWebinar(w.id);
    expect(tokenFetches(sim)).toBe(2);
  });

  it('registers in batches, pages through registrants, changes status and adds panelists', async () => {
    const { client, sim } = await setup({ enforceRateLimits: false });
    const w = await client.createWebinar('me', conferenceBody());
    const people = Array.from({ length: 330 }, (_, i) => ({ email: `p${i}@example.org`, first_name: `P${i}`, last_name: 'Doe' }));
    for (let i = 0; i < people.length; i += 30) {
      const res = await client.addBatchRegistrants(w.id, { autoApprove: i === 0, registrants: people.slice(i, i + 30) });
      expect(res.registrants).toHaveLength(30);
      expect(res.registrants[0]?.join_url).toMatch(/\/w\/\d+\?tk=/);
    }
    expect(await client.listRegistrants(w.id, 'approved')).toHaveLength(30);
    const pending = await client.listRegistrants(w.id, 'pending');
    expect(pending).toHaveLength(300);
    expect(new Set(pending.map((r) => r.id)).size).toBe(300);

    const batch = pending.slice(0, 30);
    await client.updateRegistrantStatus(w.id, 'approve', batch.map((r) => ({ id: r.id, email: r.email })));
    expect(await client.listRegistrants(w.id)).toHaveLength(60);
    await client.updateRegistrantStatus(w.id, 'cancel', [{ email: 'p0@example.org' }]);
    expect(await client.listRegistrants(w.id)).toHaveLength(59);

    const single = await client.addRegistrant(w.id, { email: 'solo@example.org', first_name: 'Solo' });
    expect(single.join_url).toContain('tk=');
    const again = await client.addRegistrant(w.id, { email: 'solo@example.org', first_name: 'Solo' });
    expect(again.registrant_id).toBe(single.registrant_id);

    const added = await client.addPanelists(w.id, [
      { email: 'speaker1@example.org', name: 'Speaker One' },
      { email: 'speaker2@example.org', name: 'Speaker Two' },
    ]);
    expect(added.id).toBe(String(w.id));
    const panelists = await client.listPanelists(w.id);
    expect(panelists.map((p) => p.email).sort()).toEqual(['speaker1@example.org', 'speaker2@example.org']);
    expect(panelists.every((p) => p.join_url?.includes('tk='))).toBe(true);
    expect(sim.calls.find((c) => c.path.endsWith('/batch_registrants'))?.label).toBe('heavy');
  });

  it('refuses more than 30 items per call before sending anything', async () => {
    const { client, sim } = await setup();
    const many = Array.from({ length: 31 }, (_, i) => ({ email: `x${i}@example.org`, first_name: 'X' }));
    const err = await rejection(client.addBatchRegistrants(123456789, { autoApprove: true, registrants: many }));
    expect(err.permanent).toBe(true);
    expect(sim.calls).toHaveLength(0);
  });

  it('surfaces Zoom validation of interpreter languages as a permanent 300', async () => {
    const { client } = await setup();
    const body = conferenceBody();
    body.settings.language_interpretation = { enable: true, interpreters: [{ email: 'x@interp.example', interpreter_languages: 'en,de' }] };
    const err = await rejection(client.createWebinar('me', body));
    expect([err.status, err.code, err.permanent]).toEqual([400, 300, true]);
  });

  it('shows a silently dropped interpretation setting on read-back', async () => {
    const { client } = await setup({ dropInterpretation: true });
    const w = await client.createWebinar('me', conferenceBody());
    const read = await client.getWebinar(w.id);
    expect(read.settings?.language_interpretation?.enable).toBe(false);
    expect(read.settings?.language_interpretation?.interpreters ?? []).toHaveLength(0);
  });

  it('turns a per-second 429 into a retryable error with headers recovered from the response', async () => {
    const fixed = Date.UTC(2031, 5, 10, 9, 0, 0, 400);
    const { client, sim } = await setup({ now: () => fixed, perSecondLimits: { light: 1 } });
    const w = await client.createWebinar('me', conferenceBody());
    const err = await rejection(client.getWebinar(w.id));
    expect(err.status).toBe(429);
    expect(err.permanent).toBe(false);
    expect(err.retryAfterMs).toBe(1000);
    expect(err.rateLimit).toEqual({ scope: 'account', type: 'per-second', category: 'Light', limit: 1, remaining: 0, retryAfter: '1' });
    expect(err.trackingId).toMatch(/^SIM_/);
    expect(sim.count429).toBe(1);
  });

  it('enforces three registrant adds per UTC day and reports the wait until midnight', async () => {
    const fixed = Date.UTC(2031, 5, 10, 22, 0, 0);
    const { client } = await setup({ now: () => fixed, enforceRateLimits: false });
    const w1 = await client.createWebinar('me', conferenceBody());
    const w2 = await client.createWebinar('me', conferenceBody());
    const person = { email: 'repeat@example.org', first_name: 'Re' };
    await client.addRegistrant(w1.id, person);
    await client.addBatchRegistrants(w2.id, { autoApprove: true, registrants: [person] });
    await client.addRegistrant(w1.id, person);
    const err = await rejection(client.addRegistrant(w2.id, person));
    expect(err.status).toBe(429);
    expect(err.message).toContain('daily rate limit of (3)');
    // The registrant's own quota, told apart by the headers (account budget left, no type) and the message.
    expect(err.rateLimit).toEqual({ scope: 'registrant', registrant: 'repeat@example.org', type: 'daily', category: 'Light', limit: 30, remaining: 30 });
    const realNow = Date.now();
    const untilMidnight = Date.UTC(new Date(realNow).getUTCFullYear(), new Date(realNow).getUTCMonth(), new Date(realNow).getUTCDate() + 1) - realNow;
    expect(Math.abs((err.retryAfterMs ?? 0) - untilMidnight)).toBeLessThan(5000);
  });

  it('reports a lost response as retryable although Zoom performed the write', async () => {
    const { client, sim } = await setup();
    await client.listPanelists(1).catch(() => undefined);
    sim.faults.failNext(1, 'lostResponse');
    const err = await rejection(client.createWebinar('me', conferenceBody()));
    expect(err.status).toBe(0);
    expect(err.permanent).toBe(false);
    expect(sim.state.webinars.size).toBe(1);
  });

  it('treats 5xx and resets as retryable and 4xx as permanent', async () => {
    const { client, sim } = await setup();
    sim.faults.failNext(1, 'http500');
    const e500 = await rejection(client.getWebinar(42));
    expect([e500.status, e500.permanent]).toEqual([500, false]);
    sim.faults.failNext(1, 'reset');
    const reset = await rejection(client.getWebinar(42));
    expect([reset.status, reset.permanent]).toEqual([0, false]);
    const missing = await rejection(client.getWebinar(42));
    expect([missing.status, missing.code, missing.permanent]).toEqual([404, 3001, true]);
  });

  it('times out a slow Zoom as a retryable error', async () => {
    const { sim, prefix } = await setup();
    const slow = createZoomClient({ ...SIM_CREDENTIALS, apiUrl: sim.apiUrl, oauthUrl: sim.oauthUrl, redis, keyPrefix: prefix, timeoutMs: 200 });
    opened[opened.length - 1]?.clients.push(slow);
    await slow.listPanelists(1).catch(() => undefined);
    sim.faults.latencyMs = 600;
    const err = await rejection(slow.getWebinar(1));
    expect([err.status, err.permanent]).toEqual([0, false]);
    sim.faults.latencyMs = 0;
  });
});
