import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server.js';
import { ChildService } from '../helpers/child-service.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { recoverStalledJobs } from '../helpers/stall-sweep.js';
import { auth } from '../helpers/test-app.js';
import { SIGNING_KEY } from '../helpers/test-config.js';
import { TestClock } from '../helpers/test-clock.js';
import { childPrefix, person, REDIS_URL, resilienceProgramme } from './fixtures.js';

/**
 * A worker SIGKILLed in the middle of sending 120 invitations: a second worker sends the rest. Nobody is
 * missed; a participant may get a second copy only of a message that was in flight at the kill, and then
 * with the same Message-ID, so mail clients show it once.
 */
const EVENT = 'mailkill-evt';
const COUNT = 120;
const MAIL_CONCURRENCY = 8;
const prefix = childPrefix('mailkill');
let smtp: FakeSmtpServer;
let stack: Stack;
let env: Record<string, string>;
const children: ChildService[] = [];

beforeAll(async () => {
  smtp = await startFakeSmtpServer();
  // Each DATA is answered after 100 ms: sends overlap, so some are in flight whenever the worker dies.
  smtp.delayData(100);
  env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    LINK_SIGNING_KEYS: SIGNING_KEY,
    PUBLIC_BASE_URL: 'http://links.test',
    SMTP_URL: smtp.url,
    MAIL_FROM: '"Kill test" <kill@mail.example>',
    MAIL_MAX_PER_SECOND: '100',
    LOG_LEVEL: 'info',
  };
  stack = await startStack({ prefix, clock: new TestClock('2030-06-01T08:00:00Z', true), env: { SMTP_URL: smtp.url, MAIL_FROM: env.MAIL_FROM! } });
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop('SIGKILL').catch(() => undefined)));
  await stack?.close();
  await smtp?.close();
});

describe('worker SIGKILL during a large send', () => {
  it('sends every invitation, repeating only messages in flight and with their Message-ID', { timeout: 90_000 }, async () => {
    expect((await stack.app.inject({ method: 'PUT', url: `/api/v1/events/${EVENT}`, headers: auth, payload: resilienceProgramme(EVENT) })).statusCode).toBe(201);
    const res = await stack.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: Array.from({ length: COUNT }, (_, i) => person(i + 1)) } });
    expect(res.statusCode).toBe(201);
    const emails = (res.json().participants as Array<{ email: string }>).map((p) => p.email.toLowerCase());
    const before = smtp.messages.length;

    const first = new ChildService('src/server.ts', { ...env, ROLE: 'worker' });
    children.push(first);
    await first.waitUntilStarted();
    await expect.poll(() => smtp.messages.length - before, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(COUNT / 4);
    await first.stop('SIGKILL');
    const sentAtKill = smtp.messages.length - before;
    await recoverStalledJobs(REDIS_URL, prefix, { maxStalledCount: 3 });

    const second = new ChildService('src/server.ts', { ...env, ROLE: 'worker' });
    children.push(second);
    await second.waitUntilStarted();
    const received = () => smtp.messages.slice(before).filter((m) => m.parsed.headers.get('content-language') !== undefined);
    await expect.poll(() => new Set(received().map((m) => m.envelope.to[0]?.toLowerCase())).size, { timeout: 60_000, interval: 100 }).toBe(COUNT);
    await second.stop('SIGTERM');

    const byRecipient = new Map<string, string[]>();
    for (const mail of received()) {
      const to = mail.envelope.to[0]!.toLowerCase();
      byRecipient.set(to, [...(byRecipient.get(to) ?? []), String(mail.parsed.messageId)]);
    }
    expect(emails.filter((e) => !byRecipient.has(e))).toEqual([]);
    const repeated = [...byRecipient].filter(([, ids]) => ids.length > 1);
    console.log(`[resilience] mail-worker-kill: killed after ${sentAtKill} of ${COUNT} sends; ${repeated.length} repeated (in flight)`);
    expect(repeated.length).toBeLessThanOrEqual(MAIL_CONCURRENCY);
    for (const [, ids] of repeated) expect(new Set(ids).size).toBe(1);
    const statuses = (await stack.app.inject({ method: 'GET', url: `/api/v1/events/${EVENT}/messages?kind=invitation`, headers: auth })).json().messages.map((m: { status: string }) => m.status);
    expect(statuses).toEqual(Array.from({ length: COUNT }, () => 'sent'));
  });
});
