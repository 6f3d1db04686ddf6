import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleModel, startPageHarness, type PageHarness } from './page-harness.js';
import { hasChromium, launchBrowser, openPage, type OpenedPage } from './browser.js';
import { createTranslations } from '../../src/i18n/i18n.js';
import { SUPPORTED_LANGUAGES } from '../../src/i18n/languages.js';

const translations = createTranslations();
const SHOTS = new URL('../../test-results/', import.meta.url);

const OPERA_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0';

/** The sample, plus an academy day on the conference's date with two early sessions (Vienna 08:00 and 08:30). */
function sharedDateModel() {
  const model = buildSampleModel({ opensInSeconds: 600 });
  const template = model.days[0]!.sessions[0]!;
  const session = (id: string, title: string, startsAt: string, endsAt: string) => ({ ...template, id, title, startsAt, endsAt, joinOpensAt: startsAt, state: 'upcoming' as const });
  model.days.push({
    date: '2024-02-08',
    title: 'Academy – Day 3',
    kind: 'academy',
    sessions: [
      { ...session('early', 'Early clinic', '2024-02-08T07:00:00Z', '2024-02-08T07:45:00Z'), localStart: '08:00', localEnd: '08:45' },
      { ...session('late', 'Across midnight', '2024-02-08T07:30:00Z', '2024-02-08T08:30:00Z'), localStart: '08:30', localEnd: '09:30' },
    ],
  });
  return model;
}

describe.skipIf(!hasChromium())('participant page in Chromium', () => {
  let browser: Browser;
  let harness: PageHarness;
  const opened: OpenedPage[] = [];

  beforeAll(async () => {
    // Rendered per request, so "opens in 2 s" counts from each page load, whatever ran before.
    [browser, harness] = await Promise.all([
      launchBrowser(),
      startPageHarness({
        // The page script runs on the server's clock (data-now), so the fixed 2024 `now` plays out live.
        pages: {
          'tok-123': () => buildSampleModel({ opensInSeconds: 2 }),
          closing: () => buildSampleModel({ opensInSeconds: 600, closesInSeconds: 2 }),
          'shared-date': sharedDateModel,
          ...Object.fromEntries(SUPPORTED_LANGUAGES.map((language) => [`lang-${language}`, () => buildSampleModel({ opensInSeconds: 2, language })])),
        },
        message: () => ({
          title: 'This session has not opened yet',
          message: 'This session opens 15 minutes before it starts.',
          opensAt: { iso: '2024-02-08T12:45:00Z', timezone: 'Europe/Vienna' },
          pageUrl: '/p/tok-123',
        }),
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(opened.map((o) => o.close()));
    await Promise.all([browser?.close(), harness?.close()]);
  });

  async function load(options: Parameters<typeof openPage>[1] = {}, path = '/p/tok-123'): Promise<OpenedPage> {
    const o = await openPage(browser, options);
    opened.push(o);
    const response = await o.page.goto(`${harness.baseUrl}${path}`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    return o;
  }

  it('shows the agenda with one open link, an "Opens at" placeholder and ended sessions', async () => {
    const { page, problems } = await load({ timezoneId: 'Europe/Vienna' });
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your programme');
    const dayHeadings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(dayHeadings.filter((h) => /Academy – Day|Conference —/.test(h))).toHaveLength(3);

    const joinLinks = page.locator('a.join');
    await expect(joinLinks.count()).resolves.toBe(1);
    await expect(joinLinks.first().getAttribute('href')).resolves.toBe('https://events.example.org/j/tok-123/workshop-a');
    const disabled = await page.locator('.join-disabled').allTextContents();
    expect(disabled.some((t) => t.startsWith('Ended'))).toBe(true);
    expect(disabled.filter((t) => t.startsWith('Opens at ')).length).toBe(2);
    // Loaded with the CSS: a stylesheet blocked by CSP would leave the placeholder unstyled.
    const bg = await page.locator('.join-disabled').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(230, 230, 230)');
    expect(problems).toEqual([]);
  });

  it('adds New York times for a viewer in New York, and nothing extra in Vienna', async () => {
    const ny = await load({ timezoneId: 'America/New_York' });
    const workshop = ny.page.locator('tr', { hasText: 'Workshop A' }).locator('.when');
    // 10:00–11:30 in Vienna on 6 February is 04:00–05:30 in New York.
    await expect(workshop.locator('.viewer-time').innerText()).resolves.toBe('04:00–05:30 your time');
    await expect(ny.page.locator('[data-viewer-zone-note]').textContent()).resolves.toContain('America/New_York');
    const conference = ny.page.locator('tr', { hasText: 'Outcome Document' }).locator('.join');
    await expect(conference.innerText()).resolves.toBe('Opens at 13:45\n(07:45 your time)');

    const vienna = await load({ timezoneId: 'Europe/Vienna' });
    await expect(vienna.page.locator('.viewer-time').count()).resolves.toBe(0);
    await expect(vienna.page.locator('[data-viewer-zone-note]').isHidden()).resolves.toBe(true);
    expect([...ny.problems, ...vienna.problems]).toEqual([]);
  });

  it('turns the placeholder into a join link when its opening instant passes', async () => {
    const { page, problems } = await load({ timezoneId: 'Europe/Vienna' });
    const row = page.locator('tr', { hasText: 'Workshop B' });
    await expect(row.locator('.join').textContent()).resolves.toMatch(/^Opens at \d\d:\d\d$/);
    await expect(row.locator('a.join').count()).resolves.toBe(0);
    await row.locator('a.join').waitFor({ state: 'visible', timeout: 6_000 });
    await expect(row.locator('a.join').getAttribute('href')).resolves.toBe('https://events.example.org/j/tok-123/workshop-b');
    await expect(page.locator('[data-join-status]').textContent()).resolves.toContain('Workshop B');
    expect(problems).toEqual([]);
  });

  it('turns a join link back into "Ended" when its session ends', async () => {
    const { page, problems } = await load({ timezoneId: 'Europe/Vienna' }, '/p/closing');
    const row = page.locator('tr', { hasText: 'Drop-in clinic' });
    await expect(row.locator('a.join').count()).resolves.toBe(1);
    await row.locator('.join-disabled', { hasText: 'Ended' }).waitFor({ state: 'visible', timeout: 6_000 });
    await expect(row.locator('a.join').count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  });

  it('warns Opera users, and only them', async () => {
    const opera = await load({ userAgent: OPERA_UA });
    const alert = opera.page.getByRole('alert');
    await expect(alert.isVisible()).resolves.toBe(true);
    await expect(alert.textContent()).resolves.toContain('Opera is not supported');

    const chrome = await load({});
    await expect(chrome.page.locator('[data-opera-warning]').isHidden()).resolves.toBe(true);
    expect([...opera.problems, ...chrome.problems]).toEqual([]);
  });

  it('gives an academy day and the conference on one date their own anchors, with no axe violations', async () => {
    const { page, problems } = await load({ timezoneId: 'Europe/Vienna' }, '/p/shared-date');
    const ids = await page.locator('section.day h2').evaluateAll((hs) => hs.map((h) => h.id));
    expect(new Set(ids).size).toBe(ids.length);
    await page.getByRole('navigation', { name: 'Days' }).getByRole('link', { name: 'Conference' }).click();
    await expect(page.evaluate(() => decodeURIComponent(location.hash))).resolves.toBe('#day-conference-2024-02-08');
    await expect(page.locator(':target').innerText()).resolves.toContain('Conference');
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations
      .filter((v) => ['serious', 'critical'].includes(v.impact ?? '') || ['landmark-unique', 'duplicate-id', 'duplicate-id-aria'].includes(v.id))
      .map((v) => `${v.id}: ${v.help}`);
    expect(bad).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('names the viewer day of a session end only when it differs from its start', async () => {
    // Vienna 08:00–08:45 and 08:30–09:30 on 8 February are 23:00–23:45 and 23:30–00:30 from 7 February in Los Angeles.
    const { page, problems } = await load({ timezoneId: 'America/Los_Angeles' }, '/p/shared-date');
    const viewer = (title: string) => page.locator('tr', { hasText: title }).locator('.when .viewer-time').innerText();
    await expect(viewer('Early clinic')).resolves.toBe('Wed 7 Feb 23:00–23:45 your time');
    await expect(viewer('Across midnight')).resolves.toBe('Wed 7 Feb 23:30–Thu 8 Feb 00:30 your time');
    expect(problems).toEqual([]);
  });

  it('has no serious or critical axe violations, with and without the Opera warning', async () => {
    const runs = await Promise.all(
      [{ timezoneId: 'America/New_York' }, { userAgent: OPERA_UA }].map(async (options) => {
        const { page, problems } = await load(options);
        const results = await new AxeBuilder({ page }).analyze();
        const bad = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
        return { bad, problems };
      }),
    );
    expect(runs).toEqual([{ bad: [], problems: [] }, { bad: [], problems: [] }]);
  });

  it('shows a message page with the opening time in the viewer zone, under the same policy', async () => {
    const { page, problems } = await load({ timezoneId: 'America/New_York' }, '/j/tok-123/early');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This session has not opened yet');
    await expect(page.locator('.opens-at').textContent()).resolves.toContain('Thursday, 8 February 2024 at 13:45');
    await expect(page.locator('.opens-at .viewer-time').innerText()).resolves.toBe('07:45 your time (America/New_York)');
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it.each(SUPPORTED_LANGUAGES)('%s: the page and what its script writes are in that language, with no serious axe violations', async (language) => {
    const t = translations.translator(language);
    const { page, problems } = await load({ timezoneId: 'America/New_York' }, `/p/lang-${language}`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe(language);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(t('page.heading'));
    // Written by the script: the viewer's times, the "Opens at" placeholder, the note on the viewer's zone.
    const workshop = page.locator('tr', { hasText: 'Workshop A' }).locator('.when');
    await expect(workshop.locator('.viewer-time').innerText()).resolves.toBe(t('page.yourTime', { time: '04:00–05:30' }));
    const conference = page.locator('tr', { hasText: 'Outcome Document' }).locator('.join');
    await expect(conference.innerText()).resolves.toBe(`${t('page.opensAt', { time: '13:45' })}\n(${t('page.yourTime', { time: '07:45' })})`);
    await expect(page.locator('[data-viewer-zone-note]').textContent()).resolves.toBe(` ${t('page.viewerZoneNote', { zone: 'America/New_York' })}`);
    // The join button the script puts in when Workshop B opens, and what it tells screen readers.
    const opened = page.locator('tr', { hasText: 'Workshop B' }).locator('a.join');
    await opened.waitFor({ state: 'visible', timeout: 6_000 });
    await expect(opened.innerText()).resolves.toMatch(new RegExp(`^${t('page.join')}`));
    await expect(page.locator('[data-join-status]').textContent()).resolves.toBe(t('page.nowOpen', { title: 'Workshop B: Monitoring' }));
    await expect(page.getByRole('button', { name: t('page.remindersStop') }).isVisible()).resolves.toBe(true);
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.screenshot({ path: new URL(`participant-page-${language}.png`, SHOTS).pathname, fullPage: true });

    const message = await load({ timezoneId: 'America/New_York' }, `/j/tok-123/early?lang=${language}`);
    await expect(message.page.locator('html').getAttribute('lang')).resolves.toBe(language);
    await expect(message.page.locator('.opens-at .viewer-time').innerText()).resolves.toBe(t('page.yourTimeInZone', { time: '07:45', zone: 'America/New_York' }));
    await expect(message.page.getByRole('link', { name: t('message.backToProgramme') }).isVisible()).resolves.toBe(true);
    const messageResults = await new AxeBuilder({ page: message.page }).analyze();
    expect(messageResults.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    expect([...problems, ...message.problems]).toEqual([]);
  });
});
