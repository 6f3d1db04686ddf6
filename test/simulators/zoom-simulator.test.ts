import { afterEach, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS, startZoomServer, type ZoomSimulator } from '../fakes/zoom-server.js';

const sims: ZoomSimulator[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.close();
});

async function start(options: Parameters<typeof startZoomServer>[0] = {}) {
  const sim = await startZoomServer(options);
  sims.push(sim);
  return sim;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function token(sim: ZoomSimulator): Promise<string> {
  const res = await fetch(`${sim.oauthUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(SIM_CREDENTIALS.clientId, SIM_CREDENTIALS.clientSecret), ...form },
    body: `grant_type=account_credentials&account_id=${SIM_CREDENTIALS.accountId}`,
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
  expect(body.token_type).toBe('bearer');
  expect(body.expires_in).toBe(3600);
  expect(body.scope).toContain('webinar:write:batch_registrants:admin');
  return body.access_token;
}

async function api(sim: ZoomSimulator, bearer: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const webinar = (settings: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  topic: 'T',
  type: 5,
  start_time: '2031-06-10T10:00:00',
  timezone: 'Europe/Berlin',
  duration: 60,
  settings: { approval_type: 0, ...settings },
  ...extra,
});

describe('zoom simulator protocol', () => {
  it('issues tokens only for form-body account credentials with valid Basic auth', async () => {
    const sim = await start();
    const auth = { authorization: basic(SIM_CREDENTIALS.clientId, SIM_CREDENTIALS.clientSecret) };
    const inQuery = await fetch(`${sim.oauthUrl}/oauth/token?grant_type=account_credentials&account_id=${SIM_CREDENTIALS.accountId}`, {
      method: 'POST',
      headers: auth,
    });
    expect(inQuery.status).toBe(400);
    const wrongSecret = await fetch(`${sim.oauthUrl}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(SIM_CREDENTIALS.clientId, 'nope'), ...form },
      body: `grant_type=account_credentials&account_id=${SIM_CREDENTIALS.accountId}`,
    });
    expect(wrongSecret.status).toBe(401);
    expect(((await wrongSecret.json()) as { code: number }).code).toBe(4704);
    const badGrant = await fetch(`${sim.oauthUrl}/oauth/token`, {
      method: 'POST',
      headers: { ...auth, ...form },
      body: 'grant_type=client_credentials',
    });
    expect(((await badGrant.json()) as { code: number }).code).toBe(4705);
    expect(await token(sim)).toMatch(/^[\w-]{20,}$/);
  });

  it('rejects API calls without a valid bearer token, with a tracking id on every reply', async () => {
    const sim = await start();
    const res = await api(sim, 'forged', 'GET', '/webinars/123');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 124, message: 'Invalid access token.' });
    expect(res.headers.get('x-zm-trackingid')).toBeTruthy();
  });

  it('validates webinar bodies field by field', async () => {
    const sim = await start();
    const t = await token(sim);
    const bad = await api(
      sim,
      t,
      'POST',
      '/users/me/webinars',
      webinar(
        { approval_type: 3, language_interpretation: { enable: true, interpreters: [{ email: 'i@x.org', interpreter_languages: 'English,Klingon' }] } },
        { type: 7, password: 'much-too-long-pass', start_time: '10/06/2031 10:00' },
      ),
    );
    expect(bad.status).toBe(400);
    expect(bad.body?.code).toBe(300);
    const fields = (bad.body?.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual([
      'password',
      'settings.approval_type',
      'settings.language_interpretation.interpreters[0].interpreter_languages',
      'start_time',
      'type',
    ]);
    const notJson = await fetch(`${sim.apiUrl}/users/me/webinars`, { method: 'POST', headers: { authorization: `Bearer ${t}` }, body: '[1]' });
    expect(((await notJson.json()) as { code: number }).code).toBe(300);

    const ok = await api(sim, t, 'POST', '/users/me/webinars', webinar({ approval_type: undefined }));
    expect(ok.status).toBe(201);
    expect(typeof ok.body?.id).toBe('number');
    expect(ok.body?.start_time).toBe('2031-06-10T08:00:00Z');
    expect((ok.body?.settings as { approval_type: number }).approval_type).toBe(2);
    const reg = await api(sim, t, 'POST', `/webinars/${String(ok.body?.id)}/registrants`, { email: 'a@b.org', first_name: 'A' });
    expect([reg.status, reg.body?.code]).toEqual([400, 3000]);
  });

  it('limits batch registration to 30 registrants on type-5 webinars that require registration', async () => {
    const sim = await start();
    const t = await token(sim);
    const created = await api(sim, t, 'POST', '/users/me/webinars', webinar());
    const id = String(created.body?.id);
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `u${i}@example.org`, first_name: `U${i}` }));
    const tooMany = await api(sim, t, 'POST', `/webinars/${id}/batch_registrants`, { auto_approve: true, registrants: items(31) });
    expect([tooMany.status, tooMany.body?.code]).toEqual([400, 300]);
    const missingName = await api(sim, t, 'POST', `/webinars/${id}/batch_registrants`, { registrants: [{ email: 'x@example.org' }] });
    expect((missingName.body?.errors as Array<{ field: string }>)[0]?.field).toBe('registrants[0].first_name');
    const ok = await api(sim, t, 'POST', `/webinars/${id}/batch_registrants`, { auto_approve: false, registrants: items(30) });
    expect(ok.status).toBe(201);
    expect((ok.body?.registrants as unknown[]).length).toBe(30);

    const recurring = await api(sim, t, 'POST', '/users/me/webinars', webinar({}, { type: 9 }));
    const r = await api(sim, t, 'POST', `/webinars/${String(recurring.body?.id)}/batch_registrants`, { registrants: items(1) });
    expect([r.status, r.body?.code]).toEqual([400, 300]);
    const open = await api(sim, t, 'POST', '/users/me/webinars', webinar({ approval_type: 2 }));
    const o = await api(sim, t, 'POST', `/webinars/${String(open.body?.id)}/batch_registrants`, { registrants: items(1) });
    expect([o.status, o.body?.code]).toEqual([400, 3000]);
  });

  it('answers a burst beyond the per-second budget with documented 429 headers', async () => {
    let clock = Date.UTC(2031, 0, 1, 0, 0, 0, 100);
    const sim = await start({ now: () => clock, perSecondLimits: { medium: 2 } });
    const t = await token(sim);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await api(sim, t, 'GET', '/webinars/1/panelists'));
    expect(statuses.map((s) => s.status)).toEqual([404, 404, 429]);
    const limited = statuses[2];
    expect(limited?.body).toEqual({ code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' });
    expect(limited?.headers.get('x-ratelimit-category')).toBe('Medium');
    expect(limited?.headers.get('x-ratelimit-type')).toBe('QPS');
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(sim.count429).toBe(1);
    clock += 1000;
    expect((await api(sim, t, 'GET', '/webinars/1/panelists')).status).toBe(404);
  });

  it('applies the free plan daily cap with a date-time Retry-After', async () => {
    const clock = Date.UTC(2031, 0, 1, 12, 0, 0);
    let tick = 0;
    const sim = await start({ plan: 'free', now: () => clock + (tick += 1000) });
    const t = await token(sim);
    let last;
    for (let i = 0; i <= 1000; i += 1) last = await api(sim, t, 'POST', '/webinars/1/batch_registrants', { registrants: [] });
    expect(last?.status).toBe(429);
    expect(last?.headers.get('x-ratelimit-type')).toBe('Daily-limit');
    expect(last?.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(last?.headers.get('retry-after')).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
  });

  it('refuses a registrant over their own daily limit like Zoom: whole batch, account headers with budget left, no type, reset at 00:00 UTC', async () => {
    let clock = Date.UTC(2031, 0, 1, 23, 0, 0);
    const sim = await start({ now: () => clock });
    const t = await token(sim);
    const ids = [];
    for (let i = 0; i < 4; i += 1) ids.push(String((await api(sim, t, 'POST', '/users/me/webinars', webinar())).body?.id));
    const busy = { email: 'busy@example.org', first_name: 'Busy' };
    for (const id of ids.slice(0, 3)) expect((await api(sim, t, 'POST', `/webinars/${id}/registrants`, busy)).status).toBe(201);

    const batch = await api(sim, t, 'POST', `/webinars/${ids[3]}/batch_registrants`, { auto_approve: true, registrants: [{ email: 'free@example.org', first_name: 'Free' }, busy] });
    expect(batch.status).toBe(429);
    expect(batch.body).toEqual({
      code: 429,
      message: 'You have exceeded the daily rate limit of (3) for Add a webinar registrant API requests for the registrant (busy@example.org). You can resume these API requests at GMT 00:00:00.',
    });
    expect(batch.headers.get('x-ratelimit-category')).toBe('Heavy');
    expect(batch.headers.get('x-ratelimit-limit')).toBe('30000');
    expect(Number(batch.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect([batch.headers.get('x-ratelimit-type'), batch.headers.get('retry-after')]).toEqual([null, null]);
    // All or nothing: the other person was not registered either, and nobody's quota was spent.
    expect(sim.state.registrants.get(Number(ids[3])) ?? []).toEqual([]);
    const single = await api(sim, t, 'POST', `/webinars/${ids[3]}/registrants`, busy);
    expect([single.status, single.headers.get('x-ratelimit-category'), single.headers.get('x-ratelimit-type')]).toEqual([429, 'Light', null]);
    expect((await api(sim, t, 'POST', `/webinars/${ids[3]}/batch_registrants`, { auto_approve: true, registrants: [{ email: 'free@example.org', first_name: 'Free' }] })).status).toBe(201);

    clock = Date.UTC(2031, 0, 2, 0, 0, 1);
    expect((await api(sim, await token(sim), 'POST', `/webinars/${ids[3]}/batch_registrants`, { auto_approve: true, registrants: [busy] })).status).toBe(201);
  });

  it('answers a spent account daily budget with Daily-limit headers when a daily cap is set', async () => {
    const sim = await start({ now: () => Date.UTC(2031, 0, 1, 5, 0, 0), dailyLimits: { heavy: 0 } });
    const t = await token(sim);
    const limited = await api(sim, t, 'POST', '/webinars/1/batch_registrants', { registrants: [] });
    expect(limited.status).toBe(429);
    expect([limited.headers.get('x-ratelimit-type'), limited.headers.get('x-ratelimit-remaining'), limited.headers.get('retry-after')]).toEqual(['Daily-limit', '0', '2031-01-02T00:00:00Z']);
  });

  it('serves a personal join page that names the attendee and the interpretation languages, escaped', async () => {
    const sim = await start();
    const t = await token(sim);
    const created = await api(
      sim,
      t,
      'POST',
      '/users/me/webinars',
      webinar(
        { language_interpretation: { enable: true, interpreters: [{ email: 'i@x.org', interpreter_languages: 'English,German' }] } },
        { topic: 'Rights <b>&</b> wrongs' },
      ),
    );
    const id = String(created.body?.id);
    const reg = await api(sim, t, 'POST', `/webinars/${id}/registrants`, { email: 'amy@example.org', first_name: '<script>Amy' });
    const page = await fetch(String(reg.body?.join_url));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('&#60;script&#62;Amy');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Rights &#60;b&#62;&#38;&#60;/b&#62; wrongs');
    expect(html).toMatch(/<li>English<\/li><li>German<\/li>/);
    expect(sim.state.joins).toHaveLength(1);
    expect((await fetch(`${sim.origin}/w/${id}?tk=forged`)).status).toBe(404);
  });

  it('destroys the socket after performing the write on lostResponse, and refuses connections when down', async () => {
    const sim = await start();
    const t = await token(sim);
    sim.faults.failNext(1, 'lostResponse');
    await expect(api(sim, t, 'POST', '/users/me/webinars', webinar())).rejects.toThrow();
    expect(sim.state.webinars.size).toBe(1);
    sim.faults.down = true;
    await expect(token(sim)).rejects.toThrow();
  });
});
