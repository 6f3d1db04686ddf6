import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleProgramme } from '../helpers/programme-fixtures.js';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.inject({ method: 'PUT', url: '/api/v1/events/hrgl-2024', headers: auth, payload: exampleProgramme() });
});
afterAll(async () => t.close());

const post = (payload: unknown, id = 'hrgl-2024') =>
  t.app.inject({ method: 'POST', url: `/api/v1/events/${id}/participants`, headers: auth, payload: payload as object });

describe('POST /api/v1/events/:eventId/participants', () => {
  it('registers participants and hands out absolute personal links for every session', async () => {
    const res = await post({ participants: [{ name: 'Ana', email: 'Ana@Example.org', role: 'moderator' }] });
    expect(res.statusCode).toBe(201);
    const [ana] = res.json().participants;
    expect(ana).toMatchObject({ email: 'Ana@Example.org', role: 'moderator', id: expect.stringMatching(/^p-[a-z0-9]{12}$/) });
    expect(ana.links.page).toMatch(/^http:\/\/links\.test\/p\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(ana.links.calendar).toBe(`${ana.links.page}/calendar.ics`);
    expect(Object.keys(ana.links.join)).toHaveLength(13);
    expect(ana.links.join['d1-opening']).toBe(`${ana.links.page}/join/d1-opening`);
    expect(JSON.stringify(ana.links)).not.toMatch(/bigbluebutton|zoom\.us|checksum/);
  });

  it('is idempotent on the normalised email, also within one request', async () => {
    const first = (await post({ participants: [{ name: 'Ben', email: 'ben@example.org' }] })).json().participants[0];
    const again = await post({
      participants: [
        { name: 'Ben', email: '  BEN@example.org ' },
        { name: 'Ben B.', email: 'ben@EXAMPLE.org' },
      ],
    });
    const [a, b] = again.json().participants;
    expect(a.id).toBe(first.id);
    expect(b.id).toBe(first.id);
    expect(a.links).toEqual(first.links);
    expect((await t.deps.participantStore.get('hrgl-2024', first.id))?.name).toBe('Ben B.');
  });

  it('names the invalid field of the invalid participant and stores none of the request', async () => {
    const res = await post({
      participants: [
        { name: 'Ok', email: 'ok@example.org' },
        { name: 'Bad', email: 'not-an-email' },
        { name: '', email: 'x@example.org', role: 'host' },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['participants.1.email', 'participants.2.name', 'participants.2.role']),
    );
    const all = await t.deps.participantStore.list('hrgl-2024');
    expect(all.map((p) => p.email)).not.toContain('ok@example.org');
  });

  it('accepts 1 to 10,000 per request', async () => {
    expect((await post({ participants: [] })).statusCode).toBe(400);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ name: `P${i}`, email: `p${i}@many.example` }));
    const res = await post({ participants: tooMany });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('participants');
  });

  it('answers 404 for an unknown event', async () => {
    expect((await post({ participants: [{ name: 'A', email: 'a@example.org' }] }, 'nope')).statusCode).toBe(404);
  });

  it('revokes with DELETE (204), then 404 for the same id again; the email can register anew', async () => {
    const p = (await post({ participants: [{ name: 'Cleo', email: 'cleo@example.org' }] })).json().participants[0];
    const del = () => t.app.inject({ method: 'DELETE', url: `/api/v1/events/hrgl-2024/participants/${p.id}`, headers: auth });
    expect((await del()).statusCode).toBe(204);
    expect((await del()).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: new URL(p.links.page).pathname })).statusCode).toBe(410);
    const again = (await post({ participants: [{ name: 'Cleo', email: 'cleo@example.org' }] })).json().participants[0];
    expect(again.id).not.toBe(p.id);
    expect((await t.app.inject({ method: 'GET', url: new URL(again.links.page).pathname })).statusCode).toBe(200);
  });

  it('requires organizer auth', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events/hrgl-2024/participants', payload: { participants: [] } });
    expect(res.statusCode).toBe(401);
  });
});
