import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';
import { auth } from '../helpers/test-app.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TestClock } from '../helpers/test-clock.js';
import { hasChromium, launchBrowser, openPage } from './browser.js';

// The real service (API + worker) on a real port, with both simulators: a participant's whole journey.
describe.skipIf(!hasChromium())('participant journey through the real service', () => {
  let browser: Browser;
  let s: Stack;
  let zoom: ZoomSimulator;
  let origin: string;
  let links: { page: string; join: Record<string, string> };

  beforeAll(async () => {
    zoom = await startZoomServer();
    // 09:05 Vienna on an academy day; the conference runs the same afternoon.
    s = await startStack({ zoom, worker: true, clock: new TestClock('2030-06-03T07:05:00Z', true) });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const address = s.app.server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchBrowser();
    await s.app.inject({
      method: 'PUT',
      url: '/api/v1/events/journey',
      headers: auth,
      payload: {
        id: 'journey',
        title: 'Journey <Academy> & Conference',
        timezone: 'Europe/Vienna',
        days: [
          { date: '2030-06-03', kind: 'academy', title: 'Academy day', sessions: [{ id: 'a1', title: 'Opening', start: '09:00', end: '10:30' }, { id: 'a2', title: 'Later', start: '14:00', end: '15:00' }] },
          { date: '2030-06-03', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'Panel', start: '16:00', end: '17:00' }] },
        ],
      },
    });
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/events/journey/participants', headers: auth, payload: { participants: [{ name: 'Zoë <O’Brien>', email: 'zoe@example.org', role: 'moderator' }] } });
    links = res.json().participants[0].links;
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await zoom?.close();
  });

  const local = (url: string) => origin + new URL(url).pathname;

  it('shows the agenda with the right buttons, passes axe, and the open button lands in BigBlueButton as moderator', async () => {
    const opened = await openPage(browser, { timezoneId: 'America/New_York' });
    try {
      const { page } = opened;
      const response = await page.goto(local(links.page));
      expect(response?.status()).toBe(200);
      expect(await page.locator('body').textContent()).toContain('Journey <Academy> & Conference');
      const open = page.locator(`a[href$="/join/a1"]`);
      await expect.poll(() => open.count()).toBe(1);
      expect(await page.locator(`a[href$="/join/a2"]`).count()).toBe(0);
      expect(await page.content()).toMatch(/Interpretation|interpretation/);
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

      // The link points at our origin; follow it like a participant would.
      const href = await open.getAttribute('href');
      await page.goto(local(href ?? ''));
      await expect.poll(() => page.url()).toMatch(/\/html5client\/join/);
      const body = await page.locator('body').textContent();
      expect(body).toContain('Zoë <O’Brien>');
      expect(body).toContain('MODERATOR');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('explains a join that is not open yet, without redirecting', async () => {
    const opened = await openPage(browser);
    try {
      const response = await opened.page.goto(local(links.join.a2 ?? ''));
      expect(response?.status()).toBe(403);
      expect(opened.page.url()).toBe(local(links.join.a2 ?? ''));
      expect(await opened.page.locator('body').textContent()).toMatch(/not opened yet/);
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
