import { AxeBuilder } from '@axe-core/playwright';
import { request } from 'node:http';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCatcher, type MailCatcher } from '../../demo/mail-catcher.js';
import { hasChromium, launchBrowser, openPage } from '../e2e/browser.js';

/** The demo's mail catcher: real SMTP in, a web inbox out, hostile content kept inert. */
let catcher: MailCatcher;
let browser: Browser | undefined;

const HOSTILE_NAME = '<img src=x onerror="document.title=\'pwned\'">Eve';

async function send(mail: SendMailOptions) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(new URL(catcher.smtpUrl).port), secure: false });
  try {
    return await transport.sendMail({ from: '"Demo" <academy@demo.example>', ...mail });
  } finally {
    transport.close();
  }
}

beforeAll(async () => {
  catcher = await startMailCatcher({ keep: 3 });
  await send({
    to: { name: HOSTILE_NAME, address: 'eve@demo.example' },
    subject: 'Hello <b>there</b> & welcome',
    text: 'Your page: http://localhost:3000/p/abc.def?x=1&y=2.\nBye',
    html: '<!doctype html><html lang="en"><head><title>x</title></head><body><p id="greeting">Hello</p><script>parent.document.title = "pwned"</script><a href="http://localhost:3000/p/abc.def">page</a></body></html>',
    headers: { 'Content-Language': 'de', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    list: { unsubscribe: { url: 'http://localhost:3000/p/abc.def/unsubscribe' } },
    messageId: '<rem.p-abc.2030-06-03.60.demo@demo.example>',
    icalEvent: { filename: 'programme.ics', method: 'PUBLISH', content: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n' },
  });
  if (hasChromium()) browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await catcher?.close();
});

describe('the demo mail catcher', () => {
  it('lists what arrived with its language and kind, every value escaped', async () => {
    expect(catcher.messages).toHaveLength(1);
    const html = await (await fetch(catcher.inboxUrl)).text();
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=');
    expect(html).toContain('Hello &lt;b&gt;there&lt;/b&gt; &amp; welcome');
    expect(html).toMatch(/<span class="lang"[^>]*>de<\/span>/);
    expect(html).toContain('<span class="kind">reminder</span>');
  });

  it('shows the headers that matter, the text with its links, and serves the HTML part sandboxed', async () => {
    const page = await fetch(new URL('/m/1', catcher.inboxUrl));
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<code>&lt;http://localhost:3000/p/abc.def/unsubscribe&gt;</code>');
    expect(html).toContain('<code>List-Unsubscribe=One-Click</code>');
    expect(html).toContain('<a href="http://localhost:3000/p/abc.def?x=1&amp;y=2" rel="noreferrer">');
    expect(html).not.toContain('<script');
    const body = await fetch(new URL('/m/1/body.html', catcher.inboxUrl));
    expect(body.headers.get('content-security-policy')).toMatch(/^sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'/);
    expect(await body.text()).toMatch(/^<!doctype html><html lang="en"><head><base target="_blank">/);
    const download = await fetch(new URL('/m/1/attachments/0', catcher.inboxUrl));
    expect(download.headers.get('content-type')).toBe('text/calendar');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.-]+\.ics"$/);
    expect(await download.text()).toContain('BEGIN:VCALENDAR');
  });

  it('answers only to its own host name, and only reads', async () => {
    const { port } = new URL(catcher.inboxUrl);
    // fetch() will not send another Host header; a DNS-rebound page would.
    const rebound = await new Promise<number>((resolve, reject) => {
      request(catcher.inboxUrl, { headers: { host: `attacker.example:${port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(421);
    expect((await fetch(catcher.inboxUrl, { method: 'POST' })).status).toBe(405);
    expect((await fetch(new URL('/m/999', catcher.inboxUrl))).status).toBe(404);
  });

  it.skipIf(!hasChromium())('renders in Chromium without running the mail\'s script, with no serious axe violations', { timeout: 30_000 }, async () => {
    for (const path of ['/', '/m/1']) {
      const { page, problems, close } = await openPage(browser!);
      try {
        await page.goto(new URL(path, catcher.inboxUrl).href);
        if (path === '/m/1') {
          const frame = page.frameLocator('iframe.mail-html');
          await expect(frame.locator('#greeting').textContent()).resolves.toBe('Hello');
        }
        await expect(page.title()).resolves.not.toBe('pwned');
        const results = await new AxeBuilder({ page }).exclude('iframe.mail-html').analyze();
        const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
        expect(bad).toEqual([]);
        // The sandboxed frame's blocked script is the one expected complaint.
        expect(problems.filter((p) => !/Blocked script execution|sandbox/i.test(p))).toEqual([]);
      } finally {
        await close();
      }
    }
  });

  it.skipIf(!hasChromium())('shows new mail in an open list without a click', { timeout: 20_000 }, async () => {
    const { page, problems, close } = await openPage(browser!);
    try {
      await page.goto(catcher.inboxUrl);
      await send({ to: 'late@demo.example', subject: 'Arrived later', text: 'later' });
      await page.getByRole('link', { name: 'Arrived later' }).waitFor({ timeout: 10_000 });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('keeps only the latest messages', { timeout: 20_000 }, async () => {
    const first = catcher.messages.at(-1)!.id + 1;
    for (let i = 0; i < 4; i++) await send({ to: `p${i}@demo.example`, subject: `Message ${i}`, text: `Message ${i}` });
    const ids = [first + 1, first + 2, first + 3];
    expect(catcher.messages.map((m) => m.id)).toEqual(ids);
    const html = await (await fetch(catcher.inboxUrl)).text();
    expect([...html.matchAll(/href="\/m\/(\d+)"/g)].map((m) => Number(m[1]))).toEqual(ids.reverse());
    expect((await fetch(new URL(`/m/${first}`, catcher.inboxUrl))).status).toBe(404);
  });
});
