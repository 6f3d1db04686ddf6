import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createBbbClient } from '../../src/providers/bbb/bbb-client.js';
import { startBbbServer, TEST_BBB_SECRET, type BbbSimulator } from '../fakes/bbb-server.js';
import { SIM_CREDENTIALS, startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Records what BigBlueButton's post_events script would POST. */
async function receiver() {
  const received: Array<{ headers: IncomingMessage['headers']; body: Record<string, unknown> }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`, received };
}

describe('BigBlueButton simulator: learning-analytics callback', () => {
  it('POSTs the meeting record at its end, signed HS512 with the secret, when the meeting kept its events', async () => {
    const hook = await receiver();
    const sim: BbbSimulator = await startBbbServer({ lastUserLeftExpiryMs: 0 });
    closers.push(() => sim.close());
    const bbb = createBbbClient({ baseUrl: sim.url, secret: TEST_BBB_SECRET, algorithm: 'sha256' });
    const kept = await bbb.create({ meetingID: 'kept-room', name: 'Kept', record: false, meta: { 'analytics-callback-url': hook.url }, keepEvents: true });
    await bbb.create({ meetingID: 'plain-room', name: 'Plain', record: false, meta: { 'analytics-callback-url': hook.url } });
    for (const [userID, meetingID, createTime] of [['p-1', 'kept-room', kept.createTime], ['p-2', 'kept-room', kept.createTime]] as const) {
      await fetch(bbb.joinUrl({ meetingID, fullName: userID, userID, role: 'VIEWER', createTime }), { redirect: 'manual' });
    }
    const plain = await bbb.getMeetingInfo('plain-room');
    await fetch(bbb.joinUrl({ meetingID: 'plain-room', fullName: 'x', userID: 'p-3', role: 'VIEWER', createTime: plain!.createTime }), { redirect: 'manual' });
    sim.userLeaves('kept-room', 'p-2');
    await bbb.end('kept-room');
    await bbb.end('plain-room');
    await sim.analytics.settled();

    expect(hook.received).toHaveLength(1);
    const [{ headers, body }] = hook.received as [(typeof hook.received)[number]];
    const token = String(headers.authorization).replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(TEST_BBB_SECRET), { algorithms: ['HS512'] });
    expect(protectedHeader).toEqual({ alg: 'HS512', typ: 'JWT' });
    expect(Number(payload.exp) - Date.now() / 1000).toBeGreaterThan(23 * 3600);
    expect(headers['content-type']).toBe('application/json');
    expect(body).toMatchObject({ version: '1.0', meeting_id: 'kept-room', internal_meeting_id: kept.internalMeetingID });
    const data = body.data as { attendees: Array<Record<string, unknown>>; metadata: Record<string, string> };
    expect(data.metadata.analytics_callback_url).toBe(hook.url);
    expect(data.attendees.map((a) => a.ext_user_id)).toEqual(['p-1', 'p-2']);
    for (const attendee of data.attendees) {
      expect(attendee).not.toHaveProperty('id');
      expect(attendee.joins).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+00:00$/)]);
      expect(attendee.leaves).toHaveLength(1);
    }
  });

  it('ends a meeting when its duration is over, and a lost callback is recorded as such', async () => {
    const hook = await receiver();
    let now = Date.now();
    const sim = await startBbbServer({ now: () => now });
    closers.push(() => sim.close());
    sim.analytics.drop = true;
    const bbb = createBbbClient({ baseUrl: sim.url, secret: TEST_BBB_SECRET, algorithm: 'sha256' });
    const ref = await bbb.create({ meetingID: 'short', name: 'Short', record: false, duration: 1, meta: { 'analytics-callback-url': hook.url }, keepEvents: true });
    await fetch(bbb.joinUrl({ meetingID: 'short', fullName: 'a', userID: 'p-1', role: 'VIEWER', createTime: ref.createTime }), { redirect: 'manual' });
    now += 61_000;
    expect((await bbb.getMeetingInfo('short'))?.running).toBe(false);
    expect(sim.analytics.deliveries).toEqual([{ meetingID: 'short', internalMeetingID: ref.internalMeetingID, dropped: true }]);
    expect(hook.received).toHaveLength(0);
  });
});

describe('Zoom simulator: past participants', () => {
  it('lists stays only after the webinar ended, with registrant_id only when asked, in pages', async () => {
    const zoom: ZoomSimulator = await startZoomServer();
    closers.push(() => zoom.close());
    const token = (await (
      await fetch(`${zoom.oauthUrl}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${SIM_CREDENTIALS.clientId}:${SIM_CREDENTIALS.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=account_credentials&account_id=${SIM_CREDENTIALS.accountId}`,
      })
    ).json()) as { access_token: string };
    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${zoom.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' } });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const created = await api('/users/me/webinars', { method: 'POST', body: JSON.stringify({ topic: 'T', type: 5, start_time: '2030-06-04T08:00:00Z', duration: 60, settings: { approval_type: 0 } }) });
    const id = Number(created.body.id);
    const batch = await api(`/webinars/${id}/batch_registrants`, {
      method: 'POST',
      body: JSON.stringify({ auto_approve: true, registrants: [1, 2, 3].map((n) => ({ email: `r${n}@example.org`, first_name: `R${n}` })) }),
    });
    const links = (batch.body.registrants as Array<{ join_url: string }>).map((r) => r.join_url);
    expect((await api(`/past_webinars/${id}/participants`)).body).toMatchObject({ code: 3001 });
    for (const link of links) await (await fetch(link)).arrayBuffer();
    await (await fetch(links[0]!.replace(/\/w\/(\d+)\?tk=/, '/w/$1/leave?tk='), { method: 'POST' })).arrayBuffer();
    await (await fetch(links[0]!)).arrayBuffer();
    expect(zoom.endWebinar(id)).toBe(true);

    const plain = await api(`/past_webinars/${id}/participants?page_size=3`);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ total_records: 4, page_size: 3, page_count: 2 });
    const rows = plain.body.participants as Array<Record<string, unknown>>;
    expect(rows.every((r) => !('registrant_id' in r) && typeof r.join_time === 'string' && typeof r.leave_time === 'string')).toBe(true);
    const rest = await api(`/past_webinars/${id}/participants?page_size=3&include_fields=registrant_id&next_page_token=${String(plain.body.next_page_token)}`);
    expect(rest.body.participants).toEqual([expect.objectContaining({ registrant_id: expect.any(String), user_email: 'r1@example.org' })]);
    expect(zoom.calls.filter((c) => c.path.startsWith('/v2/past_webinars')).every((c) => c.label === 'medium')).toBe(true);
  });
});
