import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../src/queue/job-registry.js';
import { sendJobId } from '../../src/services/message-service.js';
import type { RunningWorker } from '../../src/workers/job-runner.js';
import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server.js';
import { registrationProgramme } from '../helpers/registration-flow.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';

/**
 * A new participant's reminders are planned by a job enqueued after the 201, and a failover can lose it. The
 * re-planning pass must plan them even though the programme's own planning job (its id is the version's) is
 * still kept by BullMQ as finished, so enqueueing it again would do nothing; and a pass that finds everything
 * planned must plan, re-time and send nothing.
 */
const MAIL_FROM = '"HRGL Academy" <academy@hrgl.example>';
const EVENT = 'replan-msg';
let smtp: FakeSmtpServer;
let s: Stack | undefined;
const workers: RunningWorker[] = [];

beforeAll(async () => {
  smtp = await startFakeSmtpServer();
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.close();
  await s?.close();
  s = undefined;
});
afterAll(async () => smtp?.close());

type Message = { id: string; participantId: string; kind: string; status: string; plannedFor?: string };

const put = async (body: { id: string }, status: number) =>
  expect((await s!.app.inject({ method: 'PUT', url: `/api/v1/events/${body.id}`, headers: auth, payload: body })).statusCode).toBe(status);
const add = async (name: string, email: string) => {
  const res = await s!.app.inject({ method: 'POST', url: `/api/v1/events/${EVENT}/participants`, headers: auth, payload: { participants: [{ name, email }] } });
  expect(res.statusCode).toBe(201);
  return (res.json().participants as Array<{ id: string }>)[0]!.id;
};
const messages = async (query = '') => (await s!.app.inject({ method: 'GET', url: `/api/v1/events/${EVENT}/messages${query}`, headers: auth })).json().messages as Message[];
const of = (all: Message[], participantId: string, kind: string) => all.filter((m) => m.participantId === participantId && m.kind === kind);
const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelope.to.includes(address));
const startWorker = async () => void workers.push(await s!.startWorker());
const stopWorkers = async () => {
  for (const w of workers.splice(0)) await w.close();
};
/** Resolves once `count` re-planning passes that started with a worker are done. */
const startPasses = (count: number) =>
  expect.poll(() => s!.logs.filter((l) => l.includes('every event re-planned') && l.includes('"reason":"start"')).length, { timeout: 15_000 }).toBe(count);

/** The first session moved by half an hour: a change participants are told about, and reminders re-timed. */
const moved = () => {
  const programme = registrationProgramme(EVENT, null);
  const [academy, conference] = programme.days;
  return { ...programme, days: [{ ...academy!, sessions: [{ ...academy!.sessions[0]!, start: '09:30' }] }, conference!] };
};

describe('reminders of a participant whose planning job was lost', () => {
  it('are planned by the re-planning pass while the version planning job is kept finished, once however many passes run', { timeout: 60_000 }, async () => {
    // A week before the event: reminders are delayed jobs that do not come due during the test.
    s = await startStack({ clock: new TestClock('2030-05-27T08:00:00Z', true), env: { SMTP_URL: smtp.url, MAIL_FROM, MAIL_UPDATE_DELAY_SECONDS: '1', RECONCILE_INTERVAL_SECONDS: '0' } });
    await put(registrationProgramme(EVENT, null), 201);
    const ada = await add('Ada Early', 'ada@example.org');
    await startWorker();
    await startPasses(1);
    // Two dates, reminders a day and an hour before each.
    await expect.poll(async () => of(await messages(), ada, 'reminder').length, { timeout: 15_000 }).toBe(4);

    // A change Ada is told about: the version-2 job plans her notice, and it goes.
    await put(moved(), 200);
    await expect.poll(async () => of(await messages(), ada, 'update').map((m) => m.status), { timeout: 15_000 }).toEqual(['sent']);
    await expect.poll(() => mailsTo('ada@example.org').length, { timeout: 5_000 }).toBe(2);
    const versionJob = await s.deps.queues.get('messages').getJob(jobId('messages.plan', EVENT, 2));
    expect(await versionJob?.getState()).toBe('completed');

    // Ben and Cleo are stored (and owed an invitation) but the failover lost their planning jobs before any
    // worker ran them; Cleo has meanwhile turned reminders off on her page.
    await stopWorkers();
    const ben = await add('Ben Lost', 'ben@example.org');
    const cleo = await add('Cleo Quiet', 'cleo@example.org');
    await s.deps.messages.setReminders(EVENT, cleo, false);
    let lost = 0;
    for (const job of await s.deps.queues.get('messages').getJobs(['waiting', 'delayed', 'prioritized'])) {
      if (!(job.data as { participantIds?: string[] }).participantIds) continue;
      await job.remove();
      lost += 1;
    }
    expect(lost).toBe(2);
    expect(await (await s.deps.queues.get('messages').getJob(jobId('messages.plan', EVENT, 2)))?.getState()).toBe('completed');

    await startWorker();
    await startPasses(2);
    const afterPass = await messages();
    const reminders = of(afterPass, ben, 'reminder');
    expect(reminders.map((m) => m.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    // Timed like Ada's, from the programme as it is now.
    expect(reminders.map((m) => m.plannedFor).sort()).toEqual(of(afterPass, ada, 'reminder').map((m) => m.plannedFor).sort());
    const mail = s.deps.queues.get('mail');
    const jobs = await Promise.all(reminders.map((m) => mail.getJob(sendJobId(EVENT, m.id))));
    for (const job of jobs) expect(await job?.getState()).toBe('delayed');
    expect(of(afterPass, cleo, 'reminder')).toEqual([]);
    // They joined after the change: nothing to tell them, and nothing more to tell Ada.
    expect(afterPass.filter((m) => m.kind === 'update').map((m) => m.participantId)).toEqual([ada]);
    await expect.poll(() => [mailsTo('ben@example.org').length, mailsTo('cleo@example.org').length], { timeout: 15_000 }).toEqual([1, 1]);

    // Another pass: everything is planned already, so nothing is planned, re-timed or queued again.
    const settled = await messages();
    await startWorker();
    await startPasses(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(await messages()).toEqual(settled);
    const again = await Promise.all(reminders.map((m) => mail.getJob(sendJobId(EVENT, m.id))));
    expect(again.map((j) => j?.timestamp)).toEqual(jobs.map((j) => j?.timestamp));
    expect(mailsTo('ada@example.org').map((m) => m.parsed.subject)).toHaveLength(2);
    expect(mailsTo('ben@example.org')).toHaveLength(1);
    expect(mailsTo('cleo@example.org')).toHaveLength(1);
  });
});
