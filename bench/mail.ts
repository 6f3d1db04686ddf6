// Participant mail: 2,000 invitations at MAIL_MAX_PER_SECOND=200 against the limit's minimum; unthrottled
// against a bare nodemailer loop sending a similar message to the same sink, in BENCH_MAIL_PAIRS back-to-back pairs
// (median of the pairs' ratios); RSS for 10,000 queued.
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../config/env.js';
import { createApi } from '../src/composition/api.js';
import { createCore, type Core } from '../src/composition/core.js';
import { createWorker } from '../src/composition/worker.js';
import { programmeSchema } from '../src/domain/programme.js';
import { createLogger } from '../src/logger.js';
import { startJobRunner, type RunningWorker } from '../src/workers/job-runner.js';
import { BENCH_ORGANIZER_TOKEN, deletePrefix, median, openProgramme, ratio } from './lib.js';

const THROTTLED = 2000;
const RATE = 200;
const QUEUED = 10_000;
/** Unthrottled pairs (ours and the bare loop back to back, order flipped every pair): the machine drifts within seconds. */
const PAIRS = Number(process.env.BENCH_MAIL_PAIRS ?? 3);

/** Messages per second and this process's CPU time per message (user + system; the sink runs here for both). */
interface Throughput {
  perSecond: number;
  cpuMicrosPerMail: number;
}

async function measured(n: number, run: () => Promise<void>): Promise<Throughput> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: n / seconds, cpuMicrosPerMail: (used.user + used.system) / n };
}

/** An SMTP sink on loopback that reads every message to its end and counts it, nothing else. */
async function startSink(delayMs = 0): Promise<{ url: string; count(): number; waitFor(n: number, timeoutMs: number): Promise<number>; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        if (delayMs > 0) setTimeout(() => callback(), delayMs);
        else callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => received,
    async waitFor(n, timeoutMs) {
      const started = performance.now();
      while (received < n) {
        if (performance.now() - started > timeoutMs) throw new Error(`only ${received} of ${n} mails arrived within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return performance.now() - started;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface MailRun {
  core: Core;
  worker: RunningWorker;
  add(n: number, tag: string): Promise<void>;
  close(): Promise<void>;
}

/** The service in this process (API parts and the workers) against the sink, on a key prefix of its own. */
async function startMailRun(smtpUrl: string, maxPerSecond: number): Promise<MailRun> {
  const prefix = `bench-mail-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    ORGANIZER_TOKENS: BENCH_ORGANIZER_TOKEN,
    LINK_SIGNING_KEYS: 'bench:bench-signing-secret-0123456789abcdef',
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    REDIS_KEY_PREFIX: prefix,
    SMTP_URL: smtpUrl,
    MAIL_FROM: '"Bench" <bench@mail.example>',
    MAIL_MAX_PER_SECOND: String(maxPerSecond),
    LOG_LEVEL: 'warn',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
  const core = await createCore(config, createLogger('warn'));
  const api = createApi(core);
  const workerParts = createWorker(core);
  const worker = await startJobRunner(workerParts.runner);
  await core.events.put(programmeSchema.parse(openProgramme('mail')));
  return {
    core,
    worker,
    async add(n, tag) {
      const people = Array.from({ length: n }, (_, i) => ({ name: `Person ${i}`, email: `p${i}.${tag}@mail.example`, role: 'participant' as const }));
      if (!(await api.app.participants.add('mail', people))) throw new Error('the bench event is missing');
    },
    async close() {
      await worker.close();
      workerParts.close();
      await deletePrefix(core.redis, prefix);
      await api.close();
      await core.close();
    },
  };
}

/** The same mail our worker sends, rendered once, sent by nodemailer alone with the same pool and concurrency. */
async function bareNodemailer(smtpUrl: string, n: number, concurrency: number): Promise<Throughput> {
  const transporter = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 4, maxMessages: 100 } as never);
  const mail = {
    from: '"Bench" <bench@mail.example>',
    to: 'someone@mail.example',
    subject: 'Your programme: Benchmark',
    text: 'Dear Person,\n\n'.padEnd(2500, 'x'),
    html: `<html><body>${'<p>x</p>'.repeat(300)}</body></html>`,
    icalEvent: { filename: 'programme.ics', method: 'PUBLISH', content: 'BEGIN:VCALENDAR\r\n'.padEnd(1500, 'x') },
  };
  let next = 0;
  const result = await measured(n, async () => {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          next += 1;
          await transporter.sendMail(mail);
        }
      }),
    );
  });
  transporter.close();
  return result;
}

/** Registration to the last delivery of n invitations, through the service unthrottled, on a fresh key prefix. */
async function ourPipeline(sink: Awaited<ReturnType<typeof startSink>>, n: number, tag: string): Promise<Throughput> {
  const fast = await startMailRun(sink.url, 1000);
  try {
    const before = sink.count();
    return await measured(n, async () => {
      await fast.add(n, tag);
      await sink.waitFor(before + n, 120_000);
    });
  } finally {
    await fast.close();
  }
}

export async function benchMail(): Promise<string[]> {
  const lines: string[] = [];

  const sink = await startSink();
  try {
    const run = await startMailRun(sink.url, RATE);
    try {
      const before = sink.count();
      const started = performance.now();
      await run.add(THROTTLED, 'throttled');
      await sink.waitFor(before + THROTTLED, 120_000);
      const seconds = (performance.now() - started) / 1000;
      const minimum = THROTTLED / RATE;
      lines.push(`mail: ${THROTTLED} invitations at MAIL_MAX_PER_SECOND=${RATE} in ${seconds.toFixed(1)} s; minimum ${minimum.toFixed(1)} s → ratio ${ratio(seconds, minimum)} (target ≤ 1.10)`);
    } finally {
      await run.close();
    }

    const pairs: Array<{ ours: Throughput; bare: Throughput }> = [];
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        const ours = await ourPipeline(sink, THROTTLED, `fast${i}`);
        pairs.push({ ours, bare: await bareNodemailer(sink.url, THROTTLED, 8) });
      } else {
        const bare = await bareNodemailer(sink.url, THROTTLED, 8);
        pairs.push({ ours: await ourPipeline(sink, THROTTLED, `fast${i}`), bare });
      }
    }
    const rates = pairs.map((p) => p.ours.perSecond / p.bare.perSecond);
    const cpus = pairs.map((p) => p.bare.cpuMicrosPerMail / p.ours.cpuMicrosPerMail);
    const at = rates.indexOf(median(rates));
    const middle = pairs[at]!;
    lines.push(
      `mail: unthrottled ${middle.ours.perSecond.toFixed(0)} messages/s (registration to delivery) vs a bare nodemailer loop ${middle.bare.perSecond.toFixed(0)}/s → ratio ${median(rates).toFixed(2)} (target ≥ 0.70; median of ${PAIRS} pairs: ${rates.map((r) => r.toFixed(2)).join('/')})`,
    );
    lines.push(
      `mail: unthrottled CPU of this process per message (no target, a check on the ratio): ours ${median(pairs.map((p) => p.ours.cpuMicrosPerMail)).toFixed(0)} µs vs bare ${median(pairs.map((p) => p.bare.cpuMicrosPerMail)).toFixed(0)} µs → efficiency ${median(cpus).toFixed(2)} (per pair ${cpus.map((r) => r.toFixed(2)).join('/')})`,
    );
  } finally {
    await sink.close();
  }

  // Queued, not sent: the sink answers each DATA after a minute, so everything planned stays in Redis.
  const slow = await startSink(60_000);
  try {
    const run = await startMailRun(slow.url, 1);
    try {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
      await run.add(QUEUED, 'queued');
      const counts = async () => (await run.core.queues.get('mail').getJobCounts('waiting', 'delayed', 'prioritized', 'active'));
      const total = async () => Object.values(await counts()).reduce((a, b) => a + b, 0);
      // The planner runs as a job: wait until every invitation is in the queue.
      const deadline = performance.now() + 120_000;
      while ((await run.core.stores.messages.list('mail', { kind: 'invitation' })).length < QUEUED && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      clearInterval(sampler);
      const growth = (rssPeak - rssBefore) / 1024 / 1024;
      lines.push(`mail: ${QUEUED} invitations queued (${await total()} jobs in the mail queue): RSS +${growth.toFixed(0)} MB at its peak (target ≤ 150 MB)`);
    } finally {
      await run.close();
    }
  } finally {
    await slow.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchMail()) console.log(line);
  process.exit(0);
}
