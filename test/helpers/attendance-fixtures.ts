import { createServer } from 'node:net';
import { DateTime } from 'luxon';
import type { Interval } from '../../src/domain/attendance.js';
import { auth } from './test-app.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

/** A free loopback port, for a stack whose PUBLIC_BASE_URL must be known before it listens. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A stack listening on loopback, so simulators can call it back (analytics callback, webhooks). */
export async function listeningStack(options: StackOptions = {}, port?: number): Promise<Stack & { base: string }> {
  port ??= await freePort();
  const base = `http://127.0.0.1:${port}`;
  const s = await startStack({ ...options, env: { PUBLIC_BASE_URL: base, ...options.env } });
  await s.app.listen({ port, host: '127.0.0.1' });
  return Object.assign(s, { base });
}

/** Today's date and wall times in a zone where the window around now does not cross midnight. */
export function aroundNow(minutesBefore: number, minutesAfter: number): { timezone: string; date: string; start: string; end: string } {
  for (const zone of ['UTC', 'Asia/Tokyo', 'America/New_York', 'Pacific/Auckland']) {
    const now = DateTime.now().setZone(zone);
    const start = now.minus({ minutes: minutesBefore }).startOf('minute');
    const end = now.plus({ minutes: minutesAfter }).startOf('minute');
    if (start.toISODate() === end.toISODate()) return { timezone: zone, date: start.toISODate()!, start: start.toFormat('HH:mm'), end: end.toFormat('HH:mm') };
  }
  throw new Error('no zone where the window fits into one day');
}

export const put = (s: Stack, programme: Record<string, unknown>) =>
  s.app.inject({ method: 'PUT', url: `/api/v1/events/${String(programme.id)}`, headers: auth, payload: programme });

export async function addParticipants(s: Stack, eventId: string, people: Array<Record<string, unknown>>) {
  const res = await s.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/participants`, headers: auth, payload: { participants: people, notify: false } });
  if (res.statusCode !== 201) throw new Error(`participants: ${res.statusCode} ${res.body}`);
  return res.json().participants as Array<{ id: string; email: string; links: { page: string; join: Record<string, string> } }>;
}

/** Follows our join link to the provider (302) and opens what it points to, as a browser would. */
export async function joinThrough(s: Stack, joinLink: string): Promise<string> {
  const res = await s.app.inject({ method: 'GET', url: new URL(joinLink).pathname });
  if (res.statusCode !== 302) throw new Error(`join: ${res.statusCode} ${res.body}`);
  const target = String(res.headers.location);
  const landed = await fetch(target, { redirect: 'manual' });
  await landed.arrayBuffer();
  return target;
}

export const minutes = (n: number) => n * 60_000;
export const at = (iso: string) => Date.parse(iso);
export const span = (start: string, end: string): Interval => ({ start: at(start), end: at(end) });
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
