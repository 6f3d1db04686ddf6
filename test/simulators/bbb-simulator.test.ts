import { afterEach, describe, expect, it } from 'vitest';
import { checksum, signedQuery, type ChecksumAlgorithm } from '../../src/providers/bbb/checksum.js';
import { startBbbServer, TEST_BBB_SECRET, type BbbSimulator, type BbbSimulatorOptions } from '../fakes/bbb-server.js';

const running: BbbSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<BbbSimulatorOptions> = {}): Promise<BbbSimulator> {
  const sim = await startBbbServer(opts);
  running.push(sim);
  return sim;
}

type Params = Array<readonly [string, string]>;

function signed(sim: BbbSimulator, callName: string, params: Params, algorithm: ChecksumAlgorithm = 'sha256'): string {
  return `${sim.url}api/${callName}?${signedQuery(callName, params, TEST_BBB_SECRET, algorithm)}`;
}

async function call(sim: BbbSimulator, callName: string, params: Params, algorithm?: ChecksumAlgorithm) {
  const res = await fetch(signed(sim, callName, params, algorithm), { redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

async function raw(url: string) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

function tag(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
}

function createParams(meetingID: string, extra: Params = []): Params {
  return [['meetingID', meetingID], ['name', `Room ${meetingID}`], ...extra];
}

async function createMeeting(sim: BbbSimulator, meetingID: string, extra: Params = []): Promise<number> {
  const res = await call(sim, 'create', createParams(meetingID, extra));
  expect(tag(res.body, 'returncode')).toBe('SUCCESS');
  return Number(tag(res.body, 'createTime'));
}

function joinParams(meetingID: string, userID: string, extra: Params = []): Params {
  return [['fullName', `User ${userID}`], ['meetingID', meetingID], ['userID', userID], ['role', 'viewer'], ...extra];
}

describe('checksum verification', () => {
  it('answers a wrong checksum with checksumError as HTTP 200 XML without declaration', async () => {
    const sim = await start();
    const query = 'meetingID=m1';
    const bad = checksum('isMeetingRunning', query, 'not-the-secret', 'sha1');
    const res = await raw(`${sim.url}api/isMeetingRunning?${query}&checksum=${bad}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.body).toBe(
      '<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message></response>',
    );
    expect(sim.calls).toHaveLength(0);
  });

  it('asks for the checksum when it is missing or empty', async () => {
    const sim = await start();
    for (const query of ['meetingID=m1', 'meetingID=m1&checksum=']) {
      const res = await raw(`${sim.url}api/isMeetingRunning?${query}`);
      expect(tag(res.body, 'messageKey')).toBe('checksumError');
      expect(tag(res.body, 'message')).toBe('You must provide the checksum');
    }
  });

  it('checks the checksum before any other parameter', async () => {
    const sim = await start();
    const res = await raw(`${sim.url}api/create?meetingID=a,b&checksum=${'0'.repeat(40)}`);
    expect(tag(res.body, 'messageKey')).toBe('checksumError');
  });

  it('picks the algorithm by length and refuses ones that are not allowed', async () => {
    const sim = await start({ allowedAlgorithms: ['sha256', 'sha512'] });
    const ok = await call(sim, 'isMeetingRunning', [['meetingID', 'm1']], 'sha512');
    expect(tag(ok.body, 'returncode')).toBe('SUCCESS');
    for (const algorithm of ['sha1', 'sha384'] as const) {
      const res = await call(sim, 'isMeetingRunning', [['meetingID', 'm1']], algorithm);
      expect(tag(res.body, 'messageKey')).toBe('checksumError');
    }
    const odd = await raw(`${sim.url}api/isMeetingRunning?meetingID=m1&checksum=${'a'.repeat(50)}`);
    expect(tag(odd.body, 'messageKey')).toBe('checksumError');
  });

  it('hashes the raw query: re-encoding after signing breaks the checksum', async () => {
    const sim = await start();
    const percent = 'meetingID=m1&name=Test%20Meeting';
    const cs = checksum('create', percent, TEST_BBB_SECRET, 'sha1');
    const reencoded = await raw(`${sim.url}api/create?meetingID=m1&name=Test+Meeting&checksum=${cs}`);
    expect(tag(reencoded.body, 'messageKey')).toBe('checksumError');
    const reordered = await raw(`${sim.url}api/create?name=Test%20Meeting&meetingID=m1&checksum=${cs}`);
    expect(tag(reordered.body, 'messageKey')).toBe('checksumError');
    // The same bytes as signed are accepted, whichever encoding style the client chose.
    const plus = 'meetingID=m1&name=Test+Meeting';
    const asSigned = await raw(`${sim.url}api/create?${plus}&checksum=${checksum('create', plus, TEST_BBB_SECRET, 'sha1')}`);
    expect(tag(asSigned.body, 'returncode')).toBe('SUCCESS');
    expect(sim.meetings.get('m1')?.name).toBe('Test Meeting');
  });

  it('removes the checksum textually wherever it sits, and ignores its case', async () => {
    const sim = await start();
    const query = 'meetingID=m1';
    const cs = checksum('isMeetingRunning', query, TEST_BBB_SECRET, 'sha256');
    for (const url of [
      `${sim.url}api/isMeetingRunning?checksum=${cs}&${query}`,
      `${sim.url}api/isMeetingRunning?${query}&checksum=${cs.toUpperCase()}`,
    ]) {
      expect(tag((await raw(url)).body, 'returncode')).toBe('SUCCESS');
    }
    expect(sim.callCount('isMeetingRunning')).toBe(2);
  });

  it('serves the API index without a checksum', async () => {
    const sim = await start();
    const res = await raw(`${sim.url}api`);
    expect(tag(res.body, 'returncode')).toBe('SUCCESS');
    expect(tag(res.body, 'version')).toBe('2.0');
  });
});

describe('create', () => {
  it('validates parameters in the server order', async () => {
    const sim = await start();
    const cases: Array<[Params, string]> = [
      [[['name', 'No ID']], 'validationError'],
      [createParams(''), 'missingParamMeetingID'],
      [createParams('x'), 'sizeError'],
      [createParams('a'.repeat(257)), 'sizeError'],
      [createParams('a,b'), 'validationError'],
      [createParams(' padded '), 'validationError'],
      [[['meetingID', 'no-name']], 'nullError'],
      [createParams('m1', [['record', 'yes']]), 'validationError'],
      [createParams('m1', [['duration', '1.5']]), 'validationError'],
      [createParams('m1', [['maxParticipants', '-1']]), 'validationError'],
      [createParams('m1', [['guestPolicy', 'SOMETIMES']]), 'validationError'],
      [createParams('m1', [['meta_1x', 'v']]), 'validationError'],
      [createParams('m1', [['attendeePW', 'a']]), 'invalidPassword'],
    ];
    for (const [params, key] of cases) {
      const res = await call(sim, 'create', params);
      expect({ params, key: tag(res.body, 'messageKey') }).toEqual({ params, key });
    }
    expect(sim.meetings.size).toBe(0);
  });

  it('stores metadata lowercased and answers with the create-meeting fields', async () => {
    const clock = 1_700_000_000_000;
    const sim = await start({ now: () => clock });
    const res = await call(sim, 'create', createParams('academy', [['meta_endCallbackUrl', 'https://x.test/cb?a=1&b=2']]));
    expect(tag(res.body, 'createTime')).toBe(String(clock));
    expect(res.body).toContain('<messageKey></messageKey><message></message>');
    expect(tag(res.body, 'createDate')).toBe('Tue Nov 14 22:13:20 UTC 2023');
    expect(tag(res.body, 'internalMeetingID')).toBe(`${sha1('academy')}-${clock}`);
    const info = await call(sim, 'getMeetingInfo', [['meetingID', 'academy']]);
    expect(tag(info.body, 'endcallbackurl')).toBe('https://x.test/cb?a=1&amp;b=2');
  });

  it('is idempotent without passwords and refuses differing passwords with idNotUnique', async () => {
    const sim = await start();
    const first = await call(sim, 'create', createParams('room', [['attendeePW', 'ap'], ['moderatorPW', 'mp']]));
    const again = await call(sim, 'create', createParams('room', [['attendeePW', 'ap'], ['moderatorPW', 'mp']]));
    expect(tag(again.body, 'messageKey')).toBe('duplicateWarning');
    expect(tag(again.body, 'createTime')).toBe(tag(first.body, 'createTime'));
    const bare = await call(sim, 'create', createParams('room'));
    expect(tag(bare.body, 'messageKey')).toBe('duplicateWarning');
    const other = await call(sim, 'create', createParams('room', [['attendeePW', 'zz'], ['moderatorPW', 'mp']]));
    expect(tag(other.body, 'returncode')).toBe('FAILED');
    expect(tag(other.body, 'messageKey')).toBe('idNotUnique');
  });

  it('accepts a POST form body but fails the checksum when a parameter is also in the URL', async () => {
    const sim = await start();
    const url = signed(sim, 'create', [['meetingID', 'posted']]);
    const post = (body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.text());
    expect(tag(await post('meetingID=posted&name=Dup'), 'messageKey')).toBe('checksumError');
    expect(tag(await post('name=Posted+Room'), 'returncode')).toBe('SUCCESS');
    expect(sim.meetings.get('posted')?.name).toBe('Posted Room');
  });
});

describe('meeting lifetime', () => {
  it('removes a meeting nobody joined after emptyMeetingExpiryMs (test clock)', async () => {
    let clock = 1_000_000;
    const sim = await start({ now: () => clock, emptyMeetingExpiryMs: 5 * 60_000 });
    const firstCreateTime = await createMeeting(sim, 'empty');
    clock += 5 * 60_000 - 1;
    expect(sim.meetings.has('empty')).toBe(true);
    clock += 1;
    sim.expireNow();
    expect(sim.meetings.has('empty')).toBe(false);
    const info = await call(sim, 'getMeetingInfo', [['meetingID', 'empty']]);
    expect(tag(info.body, 'messageKey')).toBe('notFound');
    expect(await createMeeting(sim, 'empty')).toBeGreaterThan(firstCreateTime);
  });

  it('ends a meeting lastUserLeftExpiryMs after the last user left, then allows a fresh create (real time)', async () => {
    const sim = await start({ lastUserLeftExpiryMs: 80, emptyMeetingExpiryMs: 60_000 });
    const createTime = await createMeeting(sim, 'leaving');
    await call(sim, 'join', joinParams('leaving', 'u1', [['redirect', 'false']]));
    await call(sim, 'join', joinParams('leaving', 'u2', [['redirect', 'false']]));
    expect(sim.userLeaves('leaving', 'u1')).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    const stillRunning = await call(sim, 'isMeetingRunning', [['meetingID', 'leaving']]);
    expect(tag(stillRunning.body, 'running')).toBe('true');

    expect(sim.userLeaves('leaving', 'u2')).toBe(true);
    const emptyButAlive = await call(sim, 'create', createParams('leaving'));
    expect(tag(emptyButAlive.body, 'messageKey')).toBe('duplicateWarning');
    await new Promise((r) => setTimeout(r, 120));
    const rejoin = await call(sim, 'join', joinParams('leaving', 'u1', [['redirect', 'false']]));
    expect(tag(rejoin.body, 'messageKey')).toBe('meetingForciblyEnded');
    expect(sim.meetings.get('leaving')).toMatchObject({ ended: true, hasBeenForciblyEnded: false });
    expect(await createMeeting(sim, 'leaving')).toBeGreaterThan(createTime);
  });
});

describe('join', () => {
  it('redirects to the client page, which names user, meeting and role with escaping', async () => {
    const sim = await start();
    const createTime = await createMeeting(sim, 'day1');
    const res = await call(sim, 'join', [
      ['fullName', '<b>Eve</b> & "Co"'],
      ['meetingID', 'day1'],
      ['role', 'moderator'],
      ['userID', 'eve'],
      ['createTime', String(createTime)],
    ]);
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith(sim.url.replace('/bigbluebutton/', '/html5client/join?sessionToken='))).toBe(true);
    const page = await raw(location);
    expect(page.status).toBe(200);
    expect(page.body).toContain('&#60;b&#62;Eve&#60;/b&#62; &#38; &#34;Co&#34;');
    expect(page.body).not.toContain('<b>Eve</b>');
    expect(page.body).toContain('MODERATOR');
    expect(page.body).toContain('day1');
    expect((await raw(`${location}x`)).status).toBe(401);

    const running = await call(sim, 'isMeetingRunning', [['meetingID', 'day1']]);
    expect(tag(running.body, 'running')).toBe('true');
  });

  it('answers XML with redirect=false, and redirect=1 counts as false', async () => {
    const sim = await start();
    await createMeeting(sim, 'xml-join');
    for (const value of ['false', '1']) {
      const res = await call(sim, 'join', joinParams('xml-join', `u-${value}`, [['redirect', value]]));
      expect(res.status).toBe(200);
      expect(tag(res.body, 'messageKey')).toBe('successfullyJoined');
      expect(tag(res.body, 'session_token')).toMatch(/^[a-z0-9]{16}$/);
      expect(tag(res.body, 'user_id')).toMatch(/^w_[a-z0-9]{12}$/);
    }
  });

  it('rejects a stale createTime, as XML or as a redirect with the errors attached', async () => {
    const sim = await start();
    const createTime = await createMeeting(sim, 'stale', [['logoutURL', 'https://example.org/after']]);
    const xmlRes = await call(sim, 'join', joinParams('stale', 'u1', [['createTime', String(createTime - 1)], ['redirect', 'false']]));
    expect(tag(xmlRes.body, 'messageKey')).toBe('mismatchCreateTimeParam');
    const garbage = await call(sim, 'join', joinParams('stale', 'u1', [['createTime', 'soon'], ['redirect', 'false']]));
    expect(tag(garbage.body, 'messageKey')).toBe('mismatchCreateTimeParam');

    const redirected = await call(sim, 'join', joinParams('stale', 'u1', [['createTime', '1']]));
    expect(redirected.status).toBe(302);
    const location = new URL(redirected.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe('https://example.org/after');
    expect(JSON.parse(location.searchParams.get('errors') ?? '')).toEqual([
      { message: 'The createTime parameter submitted mismatches with the current meeting.', key: 'mismatchCreateTimeParam' },
    ]);
    expect(sim.meetings.get('stale')?.attendees).toHaveLength(0);
  });

  it('reports meetingForciblyEnded for a meeting that does not exist and missingParamFullName without a name', async () => {
    const sim = await start();
    const ghost = await call(sim, 'join', joinParams('ghost', 'u1', [['redirect', 'false']]));
    expect(tag(ghost.body, 'messageKey')).toBe('meetingForciblyEnded');
    await createMeeting(sim, 'named');
    const nameless = await call(sim, 'join', [['meetingID', 'named'], ['role', 'VIEWER'], ['redirect', 'false']]);
    expect(tag(nameless.body, 'messageKey')).toBe('missingParamFullName');
  });

  it('needs a role or a valid password, and renders that error as XML even when redirecting', async () => {
    const sim = await start();
    await createMeeting(sim, 'pw', [['attendeePW', 'ap'], ['moderatorPW', 'mp']]);
    const none = await call(sim, 'join', [['fullName', 'A'], ['meetingID', 'pw']]);
    expect(none.status).toBe(200);
    expect(tag(none.body, 'messageKey')).toBe('Params required');
    const wrong = await call(sim, 'join', [['fullName', 'A'], ['meetingID', 'pw'], ['password', 'nope'], ['redirect', 'false']]);
    expect(tag(wrong.body, 'message')).toBe('You must enter a valid password');
    await call(sim, 'join', [['fullName', 'Mo'], ['meetingID', 'pw'], ['password', 'mp'], ['userID', 'mo']]);
    await call(sim, 'join', [['fullName', 'Vi'], ['meetingID', 'pw'], ['password', 'mp'], ['role', 'VIEWER'], ['userID', 'vi']]);
    const roles = sim.meetings.get('pw')?.attendees.map((a) => [a.userID, a.role]);
    expect(roles).toEqual([
      ['mo', 'MODERATOR'],
      ['vi', 'VIEWER'],
    ]);
  });

  it('enforces maxParticipants but lets a present user rejoin', async () => {
    const sim = await start();
    await createMeeting(sim, 'small', [['maxParticipants', '1']]);
    expect(tag((await call(sim, 'join', joinParams('small', 'a', [['redirect', 'false']]))).body, 'returncode')).toBe('SUCCESS');
    const full = await call(sim, 'join', joinParams('small', 'b', [['redirect', 'false']]));
    expect(tag(full.body, 'messageKey')).toBe('maxParticipantsReached');
    expect(tag((await call(sim, 'join', joinParams('small', 'a', [['redirect', 'false']]))).body, 'returncode')).toBe('SUCCESS');
  });

  it('is GET only', async () => {
    const sim = await start();
    const res = await fetch(signed(sim, 'join', joinParams('m1', 'u1')), { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(405);
  });
});

describe('other calls', () => {
  it('getMeetings lists meetings or says noMeetings; end ends and removes users', async () => {
    const sim = await start();
    const empty = await call(sim, 'getMeetings', []);
    expect(tag(empty.body, 'messageKey')).toBe('noMeetings');
    await createMeeting(sim, 'one');
    await call(sim, 'join', joinParams('one', 'u1', [['redirect', 'false']]));
    const list = await call(sim, 'getMeetings', []);
    expect(tag(list.body, 'meetingID')).toBe('one');
    expect(tag(list.body, 'participantCount')).toBe('1');

    const ended = await call(sim, 'end', [['meetingID', 'one']]);
    expect(tag(ended.body, 'messageKey')).toBe('sentEndMeetingRequest');
    const info = await call(sim, 'getMeetingInfo', [['meetingID', 'one']]);
    expect(tag(info.body, 'hasBeenForciblyEnded')).toBe('true');
    expect(tag(info.body, 'participantCount')).toBe('0');
    expect(tag((await call(sim, 'end', [['meetingID', 'zero']])).body, 'messageKey')).toBe('notFound');
    expect(sim.callCount('end')).toBe(2);
  });
});

describe('faults', () => {
  it('fails exactly the next n requests in the requested way, then recovers', async () => {
    const sim = await start();
    const params: Params = [['meetingID', 'm1']];
    sim.faults.failNext(2, 'http500');
    sim.faults.failNext(1, 'failedXml');
    expect((await call(sim, 'isMeetingRunning', params)).status).toBe(500);
    expect((await call(sim, 'isMeetingRunning', params)).status).toBe(500);
    expect(tag((await call(sim, 'isMeetingRunning', params)).body, 'returncode')).toBe('FAILED');
    expect(tag((await call(sim, 'isMeetingRunning', params)).body, 'returncode')).toBe('SUCCESS');
    sim.faults.failNext(1, 'reset');
    await expect(call(sim, 'isMeetingRunning', params)).rejects.toThrow();
    expect(sim.callCount('isMeetingRunning')).toBe(1);
  });

  it('delays answers by latencyMs and drops connections while down', async () => {
    const sim = await start();
    sim.faults.latencyMs = 150;
    const started = Date.now();
    await call(sim, 'getMeetings', []);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sim.faults.latencyMs = 0;
    sim.faults.down = true;
    await expect(call(sim, 'getMeetings', [])).rejects.toThrow();
    sim.faults.down = false;
    expect((await call(sim, 'getMeetings', [])).status).toBe(200);
  });
});

function sha1(text: string): string {
  return checksum('', text, '', 'sha1');
}
