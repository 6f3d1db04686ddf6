import { afterEach, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS, startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';

let sim: ZoomSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function token(s: ZoomSimulator): Promise<string> {
  const res = await fetch(`${s.oauthUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${SIM_CREDENTIALS.clientId}:${SIM_CREDENTIALS.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: `grant_type=account_credentials&account_id=${SIM_CREDENTIALS.accountId}`,
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call(s: ZoomSimulator, bearer: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${s.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const webinar = (timezone: string) => ({
  topic: 'T',
  type: 5,
  start_time: '2031-06-10T08:00:00Z',
  timezone,
  duration: 60,
  settings: { approval_type: 0 },
});

const invalidTimezone = { code: 300, message: 'Validation Failed.', errors: [{ field: 'timezone', message: 'Invalid field.' }] };

describe('zoom simulator time zones', () => {
  it.each(['Europe/Kyiv', 'Asia/Karachi', 'America/Toronto', 'Africa/Lagos', 'Asia/Ho_Chi_Minh', 'Etc/UTC', 'Mars/Olympus'])(
    'refuses %s on create and update like any invalid field, since Zoom only takes the IDs of its list',
    async (timezone) => {
      sim = await startZoomServer();
      const t = await token(sim);
      const refused = await call(sim, t, 'POST', '/users/me/webinars', webinar(timezone));
      expect(refused).toEqual({ status: 400, body: invalidTimezone });

      const created = await call(sim, t, 'POST', '/users/me/webinars', webinar('Europe/Vienna'));
      expect(created.status).toBe(201);
      const id = String(created.body?.id);
      expect(await call(sim, t, 'PATCH', `/webinars/${id}`, { timezone })).toEqual({ status: 400, body: invalidTimezone });
      expect(sim.state.webinars.get(Number(id))?.timezone).toBe('Europe/Vienna');
    },
  );

  it.each(['Europe/Kiev', 'Asia/Saigon', 'UTC', 'Asia/Manila', 'SST', 'America/Argentina/Buenos_Aires'])('accepts the listed %s', async (timezone) => {
    sim = await startZoomServer();
    const t = await token(sim);
    const created = await call(sim, t, 'POST', '/users/me/webinars', webinar(timezone));
    expect(created.status).toBe(201);
    expect(created.body?.timezone).toBe(timezone);
  });
});
