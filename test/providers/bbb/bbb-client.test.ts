import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBbbClient, type BbbClient, type CreateMeetingInput } from '../../../src/providers/bbb/bbb-client.js';
import { BbbApiError, BbbUnavailableError } from '../../../src/providers/bbb/bbb-errors.js';
import { CHECKSUM_ALGORITHMS, signedQuery, type ChecksumAlgorithm } from '../../../src/providers/bbb/checksum.js';
import { startBbbServer, TEST_BBB_SECRET, type BbbSimulator } from '../../fakes/bbb-server.js';

let sim: BbbSimulator;

beforeEach(async () => {
  sim = await startBbbServer();
});
afterEach(async () => {
  await sim.close();
});

function client(overrides: { algorithm?: ChecksumAlgorithm; secret?: string; timeoutMs?: number; baseUrl?: string } = {}): BbbClient {
  return createBbbClient({
    baseUrl: overrides.baseUrl ?? sim.url,
    secret: overrides.secret ?? TEST_BBB_SECRET,
    algorithm: overrides.algorithm ?? 'sha256',
    timeoutMs: overrides.timeoutMs ?? 2000,
  });
}

function room(meetingID: string, extra: Partial<CreateMeetingInput> = {}): CreateMeetingInput {
  return { meetingID, name: `Room ${meetingID}`, record: false, meta: {}, ...extra };
}

async function follow(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('createBbbClient against the simulator', () => {
  it('creates a meeting with its parameters and metadata', async () => {
    const bbb = client();
    const ref = await bbb.create(
      room('academy-day-1', {
        welcome: 'Welcome & good luck = 100%',
        duration: 90,
        maxParticipants: 40,
        guestPolicy: 'ALWAYS_DENY',
        logoutURL: 'https://example.org/bye',
        record: true,
        meta: { eventId: 'ev-1', 'bbb-origin': 'academy' },
      }),
    );
    expect(ref.meetingID).toBe('academy-day-1');
    expect(ref.duplicate).toBe(false);
    const stored = sim.meetings.get('academy-day-1');
    expect(stored?.createTime).toBe(ref.createTime);
    expect(ref.internalMeetingID).toBe(stored?.internalMeetingID);
    expect(stored).toMatchObject({
      welcome: 'Welcome & good luck = 100%',
      durationMinutes: 90,
      maxParticipants: 40,
      guestPolicy: 'ALWAYS_DENY',
      logoutURL: 'https://example.org/bye',
      record: true,
      metadata: { eventid: 'ev-1', 'bbb-origin': 'academy' },
    });
    expect(sim.callCount('create')).toBe(1);
  });

  it('reports a repeated create as duplicate with the original createTime', async () => {
    const bbb = client();
    const first = await bbb.create(room('dup-room'));
    const second = await bbb.create(room('dup-room', { name: 'A different name' }));
    expect(second).toEqual({ ...first, duplicate: true });
    expect(sim.meetings.get('dup-room')?.name).toBe('Room dup-room');
  });

  it('maps idNotUnique to a permanent BbbApiError', async () => {
    // Our client never sends passwords, so the server always answers its repeat creates with duplicateWarning.
    // idNotUnique needs a create that does send differing passwords: make one by hand, then replay the
    // simulator's real answer through the client.
    await client().create(room('taken'));
    const query = signedQuery(
      'create',
      [
        ['meetingID', 'taken'],
        ['name', 'Taken'],
        ['attendeePW', 'ap'],
        ['moderatorPW', 'mp'],
      ],
      TEST_BBB_SECRET,
      'sha1',
    );
    const answer = await fetch(`${sim.url}api/create?${query}`);
    const body = await answer.text();
    expect(answer.status).toBe(200);
    const replaying = createBbbClient({
      baseUrl: sim.url,
      secret: TEST_BBB_SECRET,
      algorithm: 'sha1',
      fetch: async () => new Response(body, { status: 200 }),
    });
    const err = await rejection(replaying.create(room('taken')));
    expect(err).toBeInstanceOf(BbbApiError);
    expect(err).toMatchObject({ messageKey: 'idNotUnique', permanent: true, meetingID: 'taken' });
  });

  it('builds join URLs that the server accepts and that carry role, userID and createTime', async () => {
    const bbb = client({ algorithm: 'sha512' });
    const ref = await bbb.create(room('join-room'));
    const url = bbb.joinUrl({
      meetingID: 'join-room',
      fullName: 'Amira Haddad & Co',
      userID: 'p-42',
      role: 'MODERATOR',
      createTime: ref.createTime,
    });
    expect(url).not.toContain('password');
    const res = await follow(url);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/\/html5client\/join\?sessionToken=[a-z0-9]{16}$/);
    expect(sim.meetings.get('join-room')?.attendees).toMatchObject([
      { userID: 'p-42', fullName: 'Amira Haddad & Co', role: 'MODERATOR' },
    ]);
    expect(await bbb.isMeetingRunning('join-room')).toBe(true);
  });

  it('joinUrl is pure: no request is made', () => {
    const bbb = client();
    bbb.joinUrl({ meetingID: 'x1', fullName: 'A', userID: 'u', role: 'VIEWER', createTime: 1 });
    expect(sim.calls).toHaveLength(0);
  });

  it('reads isMeetingRunning and getMeetingInfo, and null for unknown meetings', async () => {
    const bbb = client();
    expect(await bbb.isMeetingRunning('nobody-here')).toBe(false);
    expect(await bbb.getMeetingInfo('nobody-here')).toBeNull();

    const ref = await bbb.create(room('info-room'));
    expect(await bbb.isMeetingRunning('info-room')).toBe(false);
    expect(await bbb.getMeetingInfo('info-room')).toEqual({
      meetingID: 'info-room',
      internalMeetingID: ref.internalMeetingID,
      createTime: ref.createTime,
      running: false,
      participantCount: 0,
      hasBeenForciblyEnded: false,
      hasUserJoined: false,
      attendees: [],
    });

    await follow(bbb.joinUrl({ meetingID: 'info-room', fullName: 'V', userID: 'v1', role: 'VIEWER', createTime: ref.createTime }));
    expect(await bbb.getMeetingInfo('info-room')).toMatchObject({ running: true, participantCount: 1, hasUserJoined: true, attendees: [{ userID: 'v1', fullName: 'V', role: 'VIEWER' }] });
    await follow(bbb.joinUrl({ meetingID: 'info-room', fullName: 'W', userID: 'w2', role: 'MODERATOR', createTime: ref.createTime }));
    expect((await bbb.getMeetingInfo('info-room'))?.attendees.map((a) => a.userID)).toEqual(['v1', 'w2']);
  });

  it('keeps numeric-looking meeting IDs as strings', async () => {
    const bbb = client();
    await bbb.create(room('00123'));
    expect((await bbb.getMeetingInfo('00123'))?.meetingID).toBe('00123');
  });

  it('ends meetings and answers false for unknown ones', async () => {
    const bbb = client();
    const ref = await bbb.create(room('end-room'));
    await follow(bbb.joinUrl({ meetingID: 'end-room', fullName: 'M', userID: 'm1', role: 'MODERATOR', createTime: ref.createTime }));
    expect(await bbb.end('end-room')).toBe(true);
    expect(await bbb.isMeetingRunning('end-room')).toBe(false);
    expect(await bbb.getMeetingInfo('end-room')).toMatchObject({ hasBeenForciblyEnded: true, running: false });
    expect(await bbb.end('never-created')).toBe(false);
  });

  it('maps FAILED responses to BbbApiError without leaking the secret or URL', async () => {
    const bbb = client();
    const err = await rejection(bbb.create(room('bad,id')));
    expect(err).toBeInstanceOf(BbbApiError);
    const apiErr = err as BbbApiError;
    expect(apiErr.messageKey).toBe('validationError');
    expect(apiErr.permanent).toBe(true);
    expect(apiErr.message).toContain('bad,id');
    expect(apiErr.message).not.toContain(TEST_BBB_SECRET);
    expect(apiErr.message).not.toContain('checksum');
  });

  it('rejects metadata names BBB would not accept before sending anything', async () => {
    const err = await rejection(client().create(room('meta-room', { meta: { '1bad': 'x' } })));
    expect(err).toMatchObject({ messageKey: 'invalidMetaName', permanent: true });
    expect(sim.calls).toHaveLength(0);
  });

  it('refuses a create whose URL would exceed the length cap', async () => {
    const err = await rejection(client().create(room('long-room', { welcome: 'ü'.repeat(2000) })));
    expect(err).toMatchObject({ messageKey: 'requestTooLarge', permanent: true });
    expect(sim.calls).toHaveLength(0);
  });

  it('surfaces a wrong secret as a permanent checksumError', async () => {
    const err = await rejection(client({ secret: 'wrong' }).isMeetingRunning('m1'));
    expect(err).toMatchObject({ name: 'BbbApiError', messageKey: 'checksumError', permanent: true });
    expect((err as Error).message).not.toContain('wrong');
  });

  it('treats an unknown FAILED key as retryable', async () => {
    sim.faults.failNext(1, 'failedXml');
    const err = await rejection(client().isMeetingRunning('m1'));
    expect(err).toBeInstanceOf(BbbApiError);
    expect((err as BbbApiError).permanent).toBe(false);
  });

  it.each(CHECKSUM_ALGORITHMS)('signs with %s so the server accepts it', async (algorithm) => {
    const bbb = client({ algorithm });
    await bbb.create(room(`algo-${algorithm}`));
    expect(await bbb.getMeetingInfo(`algo-${algorithm}`)).not.toBeNull();
  });

  it('fails with checksumError when the server disallows the algorithm', async () => {
    const strict = await startBbbServer({ allowedAlgorithms: ['sha256'] });
    try {
      const err = await rejection(client({ baseUrl: strict.url, algorithm: 'sha1' }).isMeetingRunning('m1'));
      expect(err).toMatchObject({ messageKey: 'checksumError' });
      expect(await client({ baseUrl: strict.url, algorithm: 'sha256' }).isMeetingRunning('m1')).toBe(false);
    } finally {
      await strict.close();
    }
  });

  it('normalises the base URL with or without a trailing slash', async () => {
    const bare = sim.url.replace(/\/$/, '');
    expect(await client({ baseUrl: bare }).isMeetingRunning('m1')).toBe(false);
    expect(await client({ baseUrl: `${bare}//` }).isMeetingRunning('m1')).toBe(false);
  });

  it('times out as BbbUnavailableError', async () => {
    sim.faults.latencyMs = 1000;
    const started = Date.now();
    const err = await rejection(client({ timeoutMs: 150 }).isMeetingRunning('slow'));
    expect(err).toBeInstanceOf(BbbUnavailableError);
    expect((err as BbbUnavailableError).permanent).toBe(false);
    expect((err as Error).message).toContain('150 ms');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('maps HTTP 500, connection resets and non-XML bodies to BbbUnavailableError', async () => {
    const bbb = client();
    sim.faults.failNext(1, 'http500');
    expect(await rejection(bbb.getMeetingInfo('m1'))).toBeInstanceOf(BbbUnavailableError);
    sim.faults.failNext(1, 'reset');
    expect(await rejection(bbb.getMeetingInfo('m1'))).toBeInstanceOf(BbbUnavailableError);
    // The next call is served normally again.
    expect(await bbb.getMeetingInfo('m1')).toBeNull();

    const htmlClient = createBbbClient({
      baseUrl: sim.url,
      secret: TEST_BBB_SECRET,
      algorithm: 'sha1',
      fetch: async () => new Response('<html><body>502 Bad Gateway</body></html>', { status: 200 }),
    });
    expect(await rejection(htmlClient.isMeetingRunning('m1'))).toBeInstanceOf(BbbUnavailableError);
  });

  it('maps a server that is down or a closed port to BbbUnavailableError', async () => {
    sim.faults.down = true;
    const err = await rejection(client().isMeetingRunning('m1'));
    expect(err).toBeInstanceOf(BbbUnavailableError);
    expect((err as Error).message).not.toContain(TEST_BBB_SECRET);

    const port = await closedPort();
    const closed = await rejection(client({ baseUrl: `http://127.0.0.1:${port}/bigbluebutton/` }).end('m1'));
    expect(closed).toBeInstanceOf(BbbUnavailableError);
    expect((closed as Error).message).toMatch(/ECONNREFUSED/);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
