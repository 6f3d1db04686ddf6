import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendJobId } from '../../src/services/message-service.js';
import type { RunningWorker } from '../../src/workers/job-runner.js';
import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server.js';
import { registrationProgramme } from '../helpers/registration-flow.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';

/**
 * Replication is asynchronous: a failover can keep a queued message and lose its `mail.send` job, and then
 * nothing sends it. The re-planning pass gives each such message its job back, due when the message is, and
 * leaves alone every message whose job still exists (also one mid-send, its job active) and every message
 * that is no longer queued (sent, withdrawn); a second pass adds nothing, and each mail goes once.
 */
const MAIL_FROM = '"HRGL Academy" <academy@hrgl.example>';
const EVENT = 'lost-send';
let smtp: FakeSmtpServer;
let s: Stack | undefined;
const workers: RunningWorker[] = [];
let manual: { worker: Worker; connection: Redis } | undefined;

beforeAll(async () => {
  smtp = await startFakeSmtpServer();
});
afterEach(async () => {
  await manual?.worker.close();
  await manual?.connection.quit();
  manual = undefined;
  for (const w of workers.splice(0)) await w.close();
  await s?.close();
  s = undefined;
});
afterAll(async () => smtp?.close());

type Message = { id: string; participantId: string; kind: string; status: string; attempts: number; plannedFor?: string };

const put = async (body: { id: string }, status: number) =>
  expect((await s!.app.inject({ method: 'PUT', url: `/api/v1/events/${body.id}`, headers: auth, payload: body })).statusCode).toBe(status);
const messages = async () => (await s!.app.inject({ method: 'GET', url: `/api/v1/events/${EVENT}/messages`, headers: auth })).json().messages as Message[];
const of = (all: Message[], participantId: string, kind?: string) => all.filter((m) => m.participantId === participantId && (kind === undefined || m.kind === kind));
const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelope.to.includes(address));
const mailJob = (messageId: string) => s!.deps.queues.get('mail').getJob(sendJobId(EVENT, messageId));
const startWorker = async () => void workers.push(await s!.startWorker());
const stopWorkers = async () => {
  for (const w of workers.splice(0)) await w.close();
};
const startPasses = (count: number) =>
  expect.poll(() => s!.logs.filter((l) => l.includes('every event re-planned') && l.includes('"reason":"start"')).length, { timeout: 15_000 }).toBe(count);
const requeuedLogs = () => s!.logs.filter((l) => l.includes('lost send jobs queued again')).map((l) => (JSON.parse(l) as { requeued: number }).requeued);
const timestamps = async (ids: readonly string[]) => Promise.all(ids.map(async (id) => (await mailJob(id))?.timestamp));

/** The conference moved by half an hour: a notice for everyone, and its reminders re-timed. */
const moved = () => {
  const programme = registrationProgramme(EVENT, null);
  const [academy, conference] = programme.days;
  return { ...programme, days: [academy!, { ...conference!, sessions: [{ ...conference!.sessions[0]!, start: '10:30' }] }] };
};

describe('send jobs a failover lost', () => {
  it('are queued again by the re-planning pass, due when their message is, once, and nothing else is touched', { timeout: 90_000 }, async () => {
    // 3 June 09:00 Vienna is 07:00Z: its hour-before reminder is due at 06:00Z, ten minutes after the start.
    const clock = new TestClock('2030-06-03T05:50:00Z', true);
    s = await startStack({ clock, env: { SMTP_URL: smtp.url, MAIL_FROM, MAIL_UPDATE_DELAY_SECONDS: '900', RECONCILE_INTERVAL_SECONDS: '0' } });
    await put(registrationProgramme(EVENT, null), 201);
    const people = [
      { name: 'Ada Kept', email: 'ada@example.org' },
      { name: 'Ben Lost', email: 'ben@example.org' },
      { name: 'Cleo Quiet', email: 'cleo@example.org' },
      { name: 'Dora Sending', email: 'dora@example.org' },
    ];
    const res = await s.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: people } });
    expect(res.statusCode).toBe(201);
    const [ada, ben, cleo, dora] = (res.json().participants as Array<{ id: string }>).map((p) => p.id) as [string, string, string, string];

    await startWorker();
    await startPasses(1);
    // Everyone invited; the 3 June hour-before and both 5 June reminders queued (the day-before of 3 June is past).
    await expect.poll(async () => (await messages()).filter((m) => m.kind === 'invitation' && m.status === 'sent').length, { timeout: 15_000 }).toBe(4);
    await expect.poll(async () => (await messages()).filter((m) => m.kind === 'reminder' && m.status === 'queued').length, { timeout: 15_000 }).toBe(12);
    // Cleo turns reminders off; the change withdraws hers and plans everyone a notice due in 15 minutes.
    await s.deps.messages.setReminders(EVENT, cleo, false);
    await put(moved(), 200);
    await expect.poll(async () => (await messages()).filter((m) => m.kind === 'update' && m.status === 'queued').length, { timeout: 15_000 }).toBe(4);
    await expect.poll(async () => of(await messages(), cleo, 'reminder').map((m) => m.status), { timeout: 15_000 }).toEqual(['skipped', 'skipped', 'skipped']);
    await stopWorkers();

    const before = await messages();
    const queuedOf = (id: string) => of(before, id).filter((m) => m.status === 'queued');
    expect(queuedOf(ada).map((m) => m.kind).sort()).toEqual(['reminder', 'reminder', 'reminder', 'update']);
    expect(queuedOf(ben)).toHaveLength(4);

    // Dora's notice is mid-send when the worker dies: its job active, its attempt counted, the message queued.
    const doraNotice = of(before, dora, 'update')[0]!;
    const doraJob = (await mailJob(doraNotice.id))!;
    await doraJob.promote();
    const connection = s.deps.redis.duplicate({ maxRetriesPerRequest: null });
    manual = { connection, worker: new Worker('mail', null, { connection, prefix: `${s.prefix}:bull`, autorun: false, lockDuration: 1000 }) };
    const taken = (await manual.worker.getNextJob('dead-worker', { block: false })) as Job | undefined;
    expect(taken?.id).toBe(doraJob.id);
    expect(await s.deps.stores.messages.beginAttempt(EVENT, doraNotice.id)).toMatchObject({ status: 'queued', attempts: 1 });

    // The failover: Ben's send jobs are gone (also the finished job of his invitation, long sent), Ada's are kept.
    const adaIds = queuedOf(ada).map((m) => m.id);
    const adaStamps = await timestamps(adaIds);
    expect(adaStamps.every((t) => typeof t === 'number')).toBe(true);
    const doraStamp = doraJob.timestamp;
    for (const m of [...queuedOf(ben), ...of(before, ben, 'invitation')]) await (await mailJob(m.id))!.remove();
    for (const m of of(before, cleo, 'reminder')) expect(await mailJob(m.id)).toBeUndefined();

    // Four seconds before the notices are due: Ben's 3 June reminder is five minutes late, its day not begun.
    const benNotice = of(before, ben, 'update')[0]!;
    clock.set(new Date(Date.parse(benNotice.plannedFor!) - 4_000));
    const benReminders = of(before, ben, 'reminder').sort((a, b) => a.plannedFor!.localeCompare(b.plannedFor!));
    expect(Date.parse(benReminders[0]!.plannedFor!)).toBeLessThan(clock.now().getTime());
    expect(Date.parse(benReminders[0]!.plannedFor!)).toBeGreaterThan(clock.now().getTime() - 10 * 60_000);

    await startWorker();
    await startPasses(2);
    // Each due at its message's time, in real time (the clock is offset from it): the late one at once.
    const offset = clock.now().getTime() - Date.now();
    for (const m of [...benReminders, benNotice]) {
      const job = await mailJob(m.id);
      expect(job, m.id).toBeDefined();
      const due = Math.max(Date.parse(m.plannedFor!) - offset, job!.timestamp);
      expect(Math.abs(job!.timestamp + (job!.opts.delay ?? 0) - due), m.id).toBeLessThan(1_000);
    }
    const benStamps = await timestamps([...benReminders, benNotice].map((m) => m.id));
    expect(await timestamps(adaIds)).toEqual(adaStamps);
    expect((await mailJob(doraNotice.id))?.timestamp).toBe(doraStamp);
    for (const m of [...of(before, cleo, 'reminder'), ...of(before, ben, 'invitation')]) expect(await mailJob(m.id), m.id).toBeUndefined();
    expect(requeuedLogs()).toEqual([4]);

    // The late reminder goes now, the notice when due, Dora's notice once her job is recovered from its stall.
    await expect.poll(async () => of(await messages(), ben).map((m) => [m.kind, m.status]).sort(), { timeout: 30_000 }).toEqual([
      ['invitation', 'sent'],
      ['reminder', 'queued'],
      ['reminder', 'queued'],
      ['reminder', 'sent'],
      ['update', 'sent'],
    ]);
    await expect.poll(async () => of(await messages(), dora, 'update')[0]?.status, { timeout: 30_000 }).toBe('sent');

    // Another pass: every job is there, so nothing is queued again and nothing is sent again.
    const settled = await messages();
    await startWorker();
    await startPasses(3);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(requeuedLogs()).toEqual([4]);
    expect(await messages()).toEqual(settled);
    expect(await timestamps([...benReminders, benNotice].map((m) => m.id))).toEqual(benStamps);
    expect(await timestamps(adaIds)).toEqual(adaStamps);
    expect(mailsTo('ben@example.org').map((m) => m.parsed.subject)).toHaveLength(3);
    expect(mailsTo('dora@example.org')).toHaveLength(2);
    expect(mailsTo('ada@example.org')).toHaveLength(1);
    expect(mailsTo('cleo@example.org')).toHaveLength(1);
  });
});
