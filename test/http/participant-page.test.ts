import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let page: string;

/** Listed out of date order, with an academy day and the conference on one date. */
const programme = {
  id: 'order-evt',
  title: 'Order test',
  timezone: 'Europe/Vienna',
  days: [
    { date: '2030-06-05', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Closing conference', start: '14:00', end: '17:00' }] },
    { date: '2030-06-03', kind: 'academy', title: 'Academy day 1', sessions: [{ id: 'a1', title: 'Opening', start: '09:00', end: '10:00' }] },
    { date: '2030-06-05', kind: 'academy', title: 'Academy day 2', sessions: [{ id: 'a2', title: 'Morning', start: '09:00', end: '10:00' }] },
    { date: '2030-06-04', kind: 'academy', title: 'Academy middle', sessions: [{ id: 'a3', title: 'Middle', start: '09:00', end: '10:00' }] },
  ],
};

beforeAll(async () => {
  t = await createTestApp();
  expect((await t.app.inject({ method: 'PUT', url: '/api/v1/events/order-evt', headers: auth, payload: programme })).statusCode).toBe(201);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/events/order-evt/participants', headers: auth, payload: { participants: [{ name: 'Oda Order', email: 'oda@example.org' }] } });
  page = (await t.app.inject({ method: 'GET', url: new URL(res.json().participants[0].links.page).pathname })).body;
});
afterAll(async () => t?.close());

describe('personal page days', () => {
  it('lists days in date order, the earlier day first on a shared date', () => {
    const headings = [...page.matchAll(/<h2 id="(day-[^"]+)">([^<]+)/g)].map((m) => [m[1], m[2]!.trim()]);
    expect(headings).toEqual([
      ['day-academy-2030-06-03', 'Academy day 1'],
      ['day-academy-2030-06-04', 'Academy middle'],
      ['day-academy-2030-06-05', 'Academy day 2'],
      ['day-conference-2030-06-05', 'Conference'],
    ]);
  });

  it('links the table of contents to each day by its own id', () => {
    const targets = [...page.matchAll(/<a href="#(day-[^"]+)">/g)].map((m) => m[1]);
    expect(targets).toEqual(['day-academy-2030-06-03', 'day-academy-2030-06-04', 'day-academy-2030-06-05', 'day-conference-2030-06-05']);
  });
});
