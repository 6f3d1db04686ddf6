import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signConfirmToken } from '../../src/domain/confirm-token.js';
import { sendJobId } from '../../src/services/message-service.js';
import { createRegistrationStore } from '../../src/store/registration-store.js';
import { startFakeSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server.js';
import { pressButton, register, registrationProgramme } from '../helpers/registration-flow.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { auth } from '../helpers/test-app.js';
import { TestClock } from '../helpers/test-clock.js';
import { SIGNING_KEY } from '../helpers/test-config.js';

/**
 * A new participant's invitation is planned by a job enqueued after the 201, and a failover (asynchronous
 * replication) can lose that job. The debt is stored with the participant, so the worker's re-planning pass
 * sends what the lost job would have, and nothing to anyone who was not owed an invitation.
 */
const MAIL_FROM = '"HRGL Academy" <academy@hrgl.example>';
const key = { id: SIGNING_KEY.split(':')[0]!, secret: SIGNING_KEY.slice(SIGNING_KEY.indexOf(':') + 1) };
let smtp: FakeSmtpServer;
let s: Stack | undefined;

beforeAll(async () => {
  smtp = await startFakeSmtpServer();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});
afterAll(async () => smtp?.close());

/** A week before the event: reminders are delayed jobs that do not come due during the test. */
async function stack(): Promise<Stack> {
  s = await startStack({ clock: new TestClock('2030-05-27T08:00:00Z', true), env: { SMTP_URL: smtp.url, MAIL_FROM, RECONCILE_INTERVAL_SECONDS: '0' } });
  return s;
}
const put = async (body: { id: string }) => expect((await s!.app.inject({ method: 'PUT', url: `/api/v1/events/${body.id}`, headers: auth, payload: body })).statusCode).toBe(201);
const add = async (eventId: string, participants: Array<{ name: string; email: string }>, notify?: boolean) => {
  const res = await s!.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/participants`, headers: auth, payload: { participants, ...(notify === undefined ? {} : { notify }) } });
  expect(res.statusCode).toBe(201);
  return res.json().participants as Array<{ id: string }>;
};
const invitations = async (eventId: string) =>
  (await s!.app.inject({ method: 'GET', url: `/api/v1/events/${eventId}/messages?kind=invitation`, headers: auth })).json().messages as Array<{ id: string; participantId: string; status: string }>;
const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelope.to.includes(address));

/** What a failover that lost the newest jobs leaves: the participants stored, their planning jobs gone. */
async function loseParticipantPlanningJobs(): Promise<number> {
  let lost = 0;
  for (const job of await s!.deps.queues.get('messages').getJobs(['waiting', 'delayed', 'prioritized'])) {
    if (!(job.data as { participantIds?: string[] }).participantIds) continue;
    await job.remove();
    lost += 1;
  }
  return lost;
}

/** Resolves once `count` re-planning passes that started with a worker are done. */
const startPasses = (count: number) => expect.poll(() => s!.logs.filter((l) => l.includes('every event re-planned') && l.includes('"reason":"start"')).length, { timeout: 15_000 }).toBe(count);

describe('invitations owed when a planning job was lost', () => {
  it('are sent once by the re-planning pass, however many passes run, and to nobody who was not owed one', { timeout: 60_000 }, async () => {
    await stack();
    const EVENT = 'owed';
    await put(registrationProgramme(EVENT, null));
    const [lost] = await add(EVENT, [{ name: 'Lena Lost', email: 'lena@example.org' }]);
    await add(EVENT, [{ name: 'Quentin Quiet', email: 'quentin@example.org' }], false);
    const [gone] = await add(EVENT, [{ name: 'Gina Gone', email: 'gina@example.org' }]);
    expect((await s!.app.inject({ method: 'DELETE', url: `/api/v1/events/${EVENT}/participants/${gone!.id}`, headers: auth })).statusCode).toBe(204);
    // Stored as before the marker existed: a participant nobody recorded an invitation debt for.
    await s!.deps.participantStore.upsertMany(EVENT, [{ name: 'Olga Older', email: 'olga@example.org', role: 'participant' }], new Date());
    expect(await loseParticipantPlanningJobs()).toBe(3);
    expect(await s!.deps.participantStore.owedInvitations(EVENT)).toEqual([lost!.id]);

    // Two workers starting together: their start-up passes race for the same debt.
    await Promise.all([s!.startWorker(), s!.startWorker()]);
    await startPasses(2);
    await expect.poll(async () => (await invitations(EVENT)).map((m) => [m.participantId, m.status]), { timeout: 15_000 }).toEqual([[lost!.id, 'sent']]);
    await expect.poll(() => mailsTo('lena@example.org').length, { timeout: 5_000 }).toBe(1);
    expect(await s!.deps.participantStore.owedInvitations(EVENT)).toEqual([]);

    // A later pass finds nothing owed and sends nothing.
    await s!.startWorker();
    await startPasses(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo('lena@example.org')).toHaveLength(1);
    for (const nobody of ['quentin@example.org', 'gina@example.org', 'olga@example.org']) expect(mailsTo(nobody), nobody).toEqual([]);
    expect(await invitations(EVENT)).toHaveLength(1);
  });

  it('is settled by the planning job itself when it was not lost', { timeout: 30_000 }, async () => {
    await stack();
    await s!.startWorker();
    await startPasses(1);
    await put(registrationProgramme('kept', null));
    const [kept] = await add('kept', [{ name: 'Karl Kept', email: 'karl@example.org' }]);
    await expect.poll(async () => (await invitations('kept')).map((m) => m.status), { timeout: 15_000 }).toEqual(['sent']);
    expect(await s!.deps.participantStore.owedInvitations('kept')).toEqual([]);
    await s!.startWorker();
    await startPasses(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo('karl@example.org')).toHaveLength(1);
    expect((await invitations('kept')).map((m) => m.participantId)).toEqual([kept!.id]);
  });

  it('queues again the send job of an invitation planned before a failover lost that job', async () => {
    await stack();
    await put(registrationProgramme('resend', null));
    const [person] = await add('resend', [{ name: 'Rita Record', email: 'rita@example.org' }]);
    await s!.deps.messages.invite('resend', [person!.id]);
    const [message] = await invitations('resend');
    const mail = s!.deps.queues.get('mail');
    const jobId = sendJobId('resend', message!.id);
    await (await mail.getJob(jobId))!.remove();

    await s!.deps.messages.invite('resend', [person!.id]);
    expect(await mail.getJob(jobId)).toBeDefined();
    await s!.deps.messages.invite('resend', [person!.id]);
    expect((await mail.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.id === jobId)).toHaveLength(1);
    expect(await invitations('resend')).toHaveLength(1);
  });
});

describe('self-registration', () => {
  it('owes no invitation to a waitlisted person until promoted, and none to someone removed', { timeout: 60_000 }, async () => {
    await stack();
    const EVENT = 'owed-reg';
    await put(registrationProgramme(EVENT, { open: true, capacity: 1 }));
    const ids = new Map<string, string>();
    for (const [email, confirmed] of [['first@example.org', 303], ['second@example.org', 200]] as const) {
      expect((await register(s!.app, EVENT, { email, name: email.split('@')[0]! })).statusCode).toBe(303);
      const pending = await pendingByEmail(EVENT, email);
      const link = `/e/${EVENT}/confirm/${signConfirmToken({ eventId: EVENT, registrationId: pending.id, expiresAt: new Date(pending.expiresAt) }, key)}`;
      expect((await pressButton(s!.app, link)).statusCode, email).toBe(confirmed);
    }
    const listed = (await s!.app.inject({ method: 'GET', url: `/api/v1/events/${EVENT}/participants`, headers: auth })).json().participants as Array<{ id: string; email: string; status: string }>;
    for (const p of listed) ids.set(p.email, p.id);
    expect(listed.map((p) => [p.email, p.status]).sort()).toEqual([['first@example.org', 'registered'], ['second@example.org', 'waitlisted']]);
    expect(await s!.deps.participantStore.owedInvitations(EVENT)).toEqual([ids.get('first@example.org')]);

    // The first leaves before any job ran: her debt goes with her, her place (and a debt) to the second.
    expect((await s!.app.inject({ method: 'DELETE', url: `/api/v1/events/${EVENT}/participants/${ids.get('first@example.org')}`, headers: auth })).statusCode).toBe(204);
    expect(await s!.deps.participantStore.owedInvitations(EVENT)).toEqual([ids.get('second@example.org')]);
    expect(await loseParticipantPlanningJobs()).toBe(2);

    await s!.startWorker();
    await startPasses(1);
    await expect.poll(async () => (await invitations(EVENT)).map((m) => [m.participantId, m.status]), { timeout: 15_000 }).toEqual([[ids.get('second@example.org'), 'sent']]);
    expect(await s!.deps.participantStore.owedInvitations(EVENT)).toEqual([]);
  });
});

async function pendingByEmail(eventId: string, email: string) {
  const store = createRegistrationStore(s!.deps.redis, s!.deps.keys);
  const confirmations = (await s!.app.inject({ method: 'GET', url: `/api/v1/events/${eventId}/messages?kind=confirmation`, headers: auth })).json().messages as Array<{ participantId: string }>;
  for (const m of confirmations) {
    const pending = await store.pending(eventId, m.participantId);
    if (pending?.email === email) return pending;
  }
  throw new Error(`no pending registration for ${email}`);
}
