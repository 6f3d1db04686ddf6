import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { ORGANIZER_TOKEN } from '../helpers/test-config.js';
import { hasChromium, launchBrowser, openPage } from './browser.js';

describe.skipIf(!hasChromium())('queue dashboard in Chromium', () => {
  let browser: Browser;
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    [browser, t] = await Promise.all([launchBrowser(), createTestApp()]);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), t?.close()]);
  });

  it.each(['/admin/queues', '/admin/queues/'])('loads from %s with its assets and lists the queues', async (path) => {
    const o = await openPage(browser);
    await o.context.setHTTPCredentials({ username: 'ops', password: ORGANIZER_TOKEN });
    try {
      const response = await o.page.goto(`${base}${path}`);
      expect(response?.status()).toBe(200);
      expect(new URL(o.page.url()).pathname).toBe('/admin/queues/');
      await expect(o.page.getByText('zoom-registrants').first().waitFor({ timeout: 10_000 })).resolves.toBeUndefined();
      // bull-board asks for Google's web fonts; an organizer tool sends nothing to third parties.
      expect(o.problems.filter((p) => !p.includes('fonts.googleapis.com'))).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('keeps the strict policy everywhere else', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(res.headers['content-security-policy']).toContain("base-uri 'self'");
    const page = await t.app.inject({ method: 'GET', url: '/p/not-a-token' });
    expect(page.headers['content-security-policy']).toContain("base-uri 'none'");
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.headers['content-security-policy']).toContain("base-uri 'none'");
  });
});
