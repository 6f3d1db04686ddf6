import { afterAll, describe, expect, it } from 'vitest';
import { ChildService } from '../helpers/child-service.js';
import { freePort } from '../helpers/own-redis.js';
import { createRedis } from '../../src/store/redis.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = createRedis(REDIS_URL, 'request');
afterAll(() => redis.disconnect());

interface InboxRow {
  href: string;
  to: string;
  subject: string;
  kind: string | undefined;
  language: string | undefined;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The inbox's list as a reader sees it, once it holds `count` messages. */
async function inboxRows(inbox: string, count: number, timeoutMs: number): Promise<InboxRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(inbox);
    expect(response.status).toBe(200);
    const tbody = /<tbody>([\s\S]*)<\/tbody>/.exec(await response.text())?.[1] ?? '';
    const rows = [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => ({
      href: /<a href="([^"]+)"/.exec(row!)?.[1] ?? '',
      to: unescape(/<td class="to">.*?<span class="addr">(.*?)<\/span>/.exec(row!)?.[1] ?? ''),
      subject: unescape(/<td class="subject"><a [^>]*><bdi>(.*?)<\/bdi>/.exec(row!)?.[1] ?? ''),
      kind: /<span class="kind">(.*?)<\/span>/.exec(row!)?.[1],
      language: /<span class="lang"[^>]*>(.*?)<\/span>/.exec(row!)?.[1],
    }));
    if (rows.length >= count) return rows;
    if (Date.now() > deadline) throw new Error(`the inbox shows ${rows.length} of ${count} messages after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `npm run demo` as a user runs it: it prints what to open, serves it, and leaves Redis as it found it. */
describe('the demo', () => {
  it('prints working page, calendar, dashboard and inbox links, shows both invitations, and cleans up on Ctrl-C', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const demo = new ChildService('demo/run-demo.ts', { PORT: String(port), REDIS_URL });
    try {
      await demo.waitForLine(/^Jonas Weber/, 40_000);
      await demo.waitForLine(/join conference:/, 5_000, demo.lines.findIndex((l) => l.startsWith('Jonas Weber')));
      const value = (label: string) => demo.lines.map((l) => l.trim()).find((l) => l.startsWith(`${label}:`))?.slice(label.length + 1).trim() ?? '';
      const keys = /Redis keys: +(\S+):\*/.exec(demo.lines.join('\n'))?.[1];
      expect(keys).toMatch(/^demo-/);
      const token = value('organizer token').split(/\s/)[0]!;
      const calendar = value('calendar feed');
      expect(calendar).toMatch(new RegExp(`^http://localhost:${port}/p/[^/]+/calendar\\.ics$`));
      const calendarResponse = await fetch(calendar);
      expect(calendarResponse.status).toBe(200);
      expect(await calendarResponse.text()).toContain('BEGIN:VCALENDAR');
      const dashboard = value('job dashboard').split(/\s/)[0]!;
      expect(dashboard).toBe(`http://localhost:${port}/admin/queues/`);
      const board = await fetch(dashboard, { headers: { authorization: `Basic ${Buffer.from(`me:${token}`).toString('base64')}` } });
      expect(board.status).toBe(200);
      expect(await redis.scan('0', 'MATCH', `${keys}:*`, 'COUNT', 10_000).then(([, found]) => found.length)).toBeGreaterThan(0);

      // The mail inbox: both invitations arrive within seconds, one of them in German, each with its personal link.
      const inbox = value('mail inbox').split(/\s/)[0]!;
      expect(inbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const pages = new Map(
        demo.lines
          .map((l, i) => [l, demo.lines[i + 1]?.trim()] as const)
          .filter(([l, next]) => /^(Maria Moderator|Jonas Weber) /.test(l) && next?.startsWith('personal page:'))
          .map(([l, next]) => [l.split(' (')[0]!, next!.slice('personal page:'.length).trim()]),
      );
      expect([...pages.keys()]).toEqual(['Maria Moderator', 'Jonas Weber']);
      const rows = await inboxRows(inbox, 2, 20_000);
      expect(rows.map((r) => r.to).sort()).toEqual(['jonas@demo.example', 'maria@demo.example']);
      expect(rows.every((r) => r.kind === 'invitation')).toBe(true);
      expect(Object.fromEntries(rows.map((r) => [r.to.includes('jonas') ? 'jonas' : 'maria', r.language]))).toEqual({ jonas: 'de', maria: 'en' });
      for (const row of rows) {
        const opened = await fetch(new URL(row.href, inbox));
        expect(opened.status).toBe(200);
        const html = await opened.text();
        const page = pages.get(row.to.includes('jonas') ? 'Jonas Weber' : 'Maria Moderator')!;
        expect(html).toContain(`<a href="${page}"`);
        for (const header of ['From', 'To', 'Subject', 'Message-ID', 'Content-Language']) expect(html).toContain(`<th scope="row">${header}</th>`);
        expect(html).toMatch(/<iframe class="mail-html" src="\/m\/\d+\/body\.html" sandbox=/);
        const body = await fetch(new URL(`${row.href}/body.html`, inbox));
        expect(body.headers.get('content-security-policy')).toMatch(/^sandbox /);
        expect(await body.text()).toContain(page);
        const ics = /href="(\/m\/\d+\/attachments\/\d+)" download>calendar entry/.exec(html)?.[1];
        const calendarFile = await fetch(new URL(ics!, inbox));
        expect(calendarFile.headers.get('content-type')).toBe('text/calendar');
        expect(calendarFile.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.ics"$/);
        expect(await calendarFile.text()).toContain('BEGIN:VCALENDAR');
      }
      expect(rows.find((r) => r.language === 'de')?.subject).toMatch(/persönlich/);

      expect(await demo.stop('SIGINT')).toEqual({ code: 0, signal: null });
      await expect(fetch(inbox)).rejects.toThrow();
      let cursor = '0';
      const left: string[] = [];
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${keys}:*`, 'COUNT', 1000);
        cursor = next;
        left.push(...found);
      } while (cursor !== '0');
      expect(left).toEqual([]);
    } finally {
      await demo.stop('SIGKILL').catch(() => undefined);
    }
  });
});
