import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signConfirmToken } from '../../src/domain/confirm-token.js';
import { SUPPORTED_LANGUAGES } from '../../src/i18n/languages.js';
import { createRegistrationStore } from '../../src/store/registration-store.js';
import { registrationProgramme } from '../helpers/registration-flow.js';
import { auth, createTestApp, type TestApp } from '../helpers/test-app.js';
import { SIGNING_KEY, testConfig } from '../helpers/test-config.js';
import { hasChromium, launchBrowser, openPage, type OpenedPage } from './browser.js';

const key = { id: SIGNING_KEY.split(':')[0]!, secret: SIGNING_KEY.slice(SIGNING_KEY.indexOf(':') + 1) };
const SHOTS = new URL('../../test-results/', import.meta.url);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Does what submits a form and waits for the page the POST answers with. */
async function submit(page: Page, action: () => Promise<void>): Promise<void> {
  // The new document, not the old one: waiting for a load state alone can resolve before the POST's page commits.
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await action();
  await navigated;
  await page.waitForLoadState('domcontentloaded');
}

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe.skipIf(!hasChromium())('registration pages in Chromium', () => {
  let browser: Browser;
  let t: TestApp;
  let base: string;
  const opened: OpenedPage[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    [browser, t] = await Promise.all([launchBrowser(), createTestApp({ config: testConfig({ PUBLIC_BASE_URL: base }) })]);
    await t.app.listen({ host: '127.0.0.1', port });
    const programme = registrationProgramme('browser', { open: true, capacity: 1, privacyUrl: 'https://organizer.example.org/privacy' });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/events/browser', headers: auth, payload: programme })).statusCode).toBe(201);
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all(opened.map((o) => o.close()));
    await browser?.close();
    await t?.close();
  });

  async function open(path: string, locale = 'en-GB'): Promise<OpenedPage> {
    const o = await openPage(browser, { locale });
    await o.context.setExtraHTTPHeaders({ 'x-forwarded-for': `203.0.113.${opened.length + 1}` });
    opened.push(o);
    await o.page.goto(`${base}${path}`);
    return o;
  }

  async function confirmationPath(email: string): Promise<string> {
    const store = createRegistrationStore(t.deps.redis, t.deps.keys);
    const messages = (await t.app.inject({ method: 'GET', url: '/api/v1/events/browser/messages?kind=confirmation', headers: auth })).json().messages as Array<{ participantId: string }>;
    for (const m of messages) {
      const pending = await store.pending('browser', m.participantId);
      if (pending?.email === email) return `/e/browser/confirm/${signConfirmToken({ eventId: 'browser', registrationId: pending.id, expiresAt: new Date(pending.expiresAt) }, key)}`;
    }
    throw new Error(`no confirmation for ${email}`);
  }

  it.each(SUPPORTED_LANGUAGES)('%s: the form in that language, styled under the strict CSP, with no serious axe violations', async (language) => {
    const { page, problems } = await open(`/e/browser/register?lang=${language}`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe(language);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBeTruthy();
    // The stylesheet loaded: the honeypot is off screen, the button styled.
    const trap = await page.locator('.trap').evaluate((el) => el.getBoundingClientRect().left);
    expect(trap).toBeLessThan(-1000);
    expect(await page.locator('button.join').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(11, 79, 138)');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: new URL(`registration-${language}.png`, SHOTS).pathname, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('is usable by keyboard alone: errors come back named and focusable, values kept, then "check your inbox"', async () => {
    const { page, problems } = await open('/e/browser/register', 'de-AT');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    // Tab from the top: the language links, then name, email, organisation, language, consent, button; never the honeypot.
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.id || document.activeElement?.tagName || ''));
    }
    expect(order).not.toContain('website');
    const fields = order.filter((id) => ['name', 'email', 'organisation', 'language', 'consent', 'BUTTON'].includes(id));
    expect(fields.slice(0, 6)).toEqual(['name', 'email', 'organisation', 'language', 'consent', 'BUTTON']);

    await page.locator('#name').focus();
    await page.keyboard.type('Kim Tastatur');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim-at-example.org');
    await submit(page, () => page.keyboard.press('Enter'));
    await expect(page.locator('.error-summary').isVisible()).resolves.toBe(true);
    await expect(page.locator('.error-summary a').allTextContents()).resolves.toHaveLength(2);
    await expect(page.locator('#name').inputValue()).resolves.toBe('Kim Tastatur');
    await expect(page.locator('#email').inputValue()).resolves.toBe('kim-at-example.org');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: new URL('registration-errors-de.png', SHOTS).pathname, fullPage: true });

    // The summary's link takes the keyboard to the field.
    await page.locator('.error-summary a[href="#email"]').focus();
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('email');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('kim@example.org');
    await page.locator('#consent').focus();
    await page.keyboard.press('Space');
    await page.locator('button.join').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/register\/sent/);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sehen Sie in Ihr Postfach');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('confirms with the button of the link’s page (keyboard), lands on the personal page; the next person is waitlisted', async () => {
    for (const [email, name] of [['lee@example.org', 'Lee Primero'], ['max@example.org', 'Max Segundo']]) {
      const res = await t.app.inject({ method: 'POST', url: '/e/browser/register', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '192.0.2.9' }, payload: new URLSearchParams({ name: name!, email: email!, language: 'es', consent: 'yes' }).toString() });
      expect(res.statusCode).toBe(303);
    }
    const first = await open(await confirmationPath('lee@example.org'));
    await expect(first.page.locator('html').getAttribute('lang')).resolves.toBe('es');
    expect(await seriousViolations(first.page)).toEqual([]);
    await first.page.locator('button.join').focus();
    await first.page.keyboard.press('Enter');
    await first.page.waitForURL(/\/p\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    // The personal page speaks the language chosen in the form.
    await expect(first.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Su programa');
    await expect(first.page.locator('html').getAttribute('lang')).resolves.toBe('es');
    expect(first.problems).toEqual([]);
    // The reminders switch, by keyboard: off, then back on, and back to the programme.
    const personal = first.page.url();
    await first.page.getByRole('button', { name: 'No recibir más recordatorios' }).focus();
    await submit(first.page, () => first.page.keyboard.press('Enter'));
    await expect(first.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Recordatorios desactivados');
    await submit(first.page, () => first.page.getByRole('button', { name: 'Volver a recibir recordatorios' }).click());
    await expect(first.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Recordatorios activados');
    await first.page.goto(personal);
    await expect(first.page.locator('[data-reminders]').getAttribute('data-reminders')).resolves.toBe('on');

    const second = await open(await confirmationPath('max@example.org'));
    await submit(second.page, () => second.page.locator('button.join').click());
    await expect(second.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Está en la lista de espera');
    expect(await seriousViolations(second.page)).toEqual([]);
    await second.page.screenshot({ path: new URL('registration-waitlisted-es.png', SHOTS).pathname, fullPage: true });

    // Lee cancels from the personal page; Max gets the place.
    await first.page.getByRole('link', { name: 'Cancelar mi inscripción' }).click();
    await first.page.waitForURL(/\/cancel$/);
    expect(await seriousViolations(first.page)).toEqual([]);
    await submit(first.page, () => first.page.locator('button.join').click());
    await expect(first.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Su inscripción está cancelada');
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/events/browser/participants', headers: auth })).json().participants as Array<{ email: string; status: string }>;
    expect(listed.map((p) => [p.email, p.status])).toEqual([['max@example.org', 'registered']]);
    expect(second.problems).toEqual([]);
    expect(first.problems).toEqual([]);
  });
});
