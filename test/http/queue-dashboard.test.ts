import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';
import { ORGANIZER_TOKEN } from '../helpers/test-config.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('queue dashboard', () => {
  it('asks browsers for credentials and refuses wrong ones', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin/queues/' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const wrong = await t.app.inject({ method: 'GET', url: '/admin/queues/', headers: { authorization: `Basic ${Buffer.from('ops:nope-nope-nope-nope').toString('base64')}` } });
    expect(wrong.statusCode).toBe(401);
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(api.statusCode).toBe(401);
  });

  it('serves the dashboard and its queue API to organizers (Basic or Bearer)', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/admin/queues/', headers: { authorization: `Basic ${Buffer.from(`ops:${ORGANIZER_TOKEN}`).toString('base64')}` } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: auth });
    expect(api.statusCode).toBe(200);
    expect(api.json().queues.map((q: { name: string }) => q.name).sort()).toEqual(['bbb', 'mail', 'messages', 'zoom', 'zoom-registrants']);
  });

  it('stays out of the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/admin'))).toBe(false);
  });
});
