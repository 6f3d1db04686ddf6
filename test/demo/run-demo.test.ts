import { afterAll, describe, expect, it } from 'vitest';
import { ChildService } from '../helpers/child-service.js';
import { freePort } from '../helpers/own-redis.js';
import { createRedis } from '../../src/store/redis.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = createRedis(REDIS_URL, 'request');
afterAll(() => redis.disconnect());

/** `npm run demo` as a user runs it: it prints what to open, serves it, and leaves Redis as it found it. */
describe('the demo', () => {
  it('prints working page, calendar and dashboard links, and deletes its keys on Ctrl-C', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const demo = new ChildService('demo/run-demo.ts', { PORT: String(port), REDIS_URL });
    try {
      await demo.waitForLine(/^Arun Attendee/, 40_000);
      await demo.waitForLine(/join conference:/, 5_000, demo.lines.findIndex((l) => l.startsWith('Arun Attendee')));
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

      expect(await demo.stop('SIGINT')).toEqual({ code: 0, signal: null });
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
