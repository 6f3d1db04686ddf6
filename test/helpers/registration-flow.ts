import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { auth } from './test-app.js';

/** A programme in 2030 whose registration is open; `registration` overrides the field (null drops it). */
export function registrationProgramme(id: string, registration: Record<string, unknown> | null = { open: true }, extra: Record<string, unknown> = {}) {
  return {
    id,
    title: 'Registration test 2030',
    timezone: 'Europe/Vienna',
    language: 'en',
    ...(registration ? { registration } : {}),
    ...extra,
    days: [
      { date: '2030-06-03', kind: 'academy', title: 'Academy day', sessions: [{ id: 'a1', title: 'Opening', start: '09:00', end: '10:30' }] },
      { date: '2030-06-05', kind: 'conference', title: 'Conference', sessions: [{ id: 'c1', title: 'High-level opening', start: '10:00', end: '11:00' }] },
    ],
  };
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

let ip = 1;
/** A fresh client address per call (X-Forwarded-For, trusted): tests that register many people stay under the per-IP limit. */
export const nextClient = () => ({ 'x-forwarded-for': `198.51.100.${(ip++ % 250) + 1}` });

export function register(app: FastifyInstance, eventId: string, fields: Record<string, string>, headers: Record<string, string> = nextClient()): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/e/${eventId}/register`,
    headers: { ...FORM_HEADERS, ...headers },
    payload: form({ name: 'Ana Example', language: 'en', consent: 'yes', ...fields }),
  });
}

/** The double-submit pair a confirm or cancel page hands out: its cookie and the hidden field. */
export function formTokenOf(page: LightMyRequestResponse): { cookie: string; token: string } {
  const setCookie = String(page.headers['set-cookie'] ?? '');
  const cookie = /ao_form=([^;]+)/.exec(setCookie)?.[1] ?? '';
  const token = /name="form" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie: `ao_form=${cookie}`, token };
}

/** Opens a confirm/cancel page and presses its button, as a browser would. */
export async function pressButton(app: FastifyInstance, path: string): Promise<LightMyRequestResponse> {
  const page = await app.inject({ method: 'GET', url: path });
  const { cookie, token } = formTokenOf(page);
  return app.inject({ method: 'POST', url: path, headers: { ...FORM_HEADERS, cookie, 'sec-fetch-site': 'same-origin' }, payload: form({ form: token }) });
}

export async function listParticipants(app: FastifyInstance, eventId: string, query = ''): Promise<{ participants: Array<{ id: string; email: string; status: string; name: string }>; next?: string }> {
  return (await app.inject({ method: 'GET', url: `/api/v1/events/${eventId}/participants${query}`, headers: auth })).json();
}
