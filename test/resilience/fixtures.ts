import { randomUUID } from 'node:crypto';
import { TEST_BBB_SECRET } from '../fakes/bbb-server.js';
import { SIM_CREDENTIALS } from '../fakes/zoom-server.js';
import { SIGNING_KEY } from '../helpers/test-config.js';

/** A REDIS_KEY_PREFIX (no ':' allowed there) unique to one test. */
export const childPrefix = (label: string) => `res-${label}-${randomUUID().slice(0, 8)}`;

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Conference first, then two academy days: with the API clock on the conference morning every room is still ahead. */
export const resilienceProgramme = (id: string) => ({
  id,
  title: 'Resilience 2030',
  timezone: 'Europe/Vienna',
  days: [
    {
      date: '2030-06-03',
      kind: 'conference',
      title: 'Conference',
      sessions: [
        { id: 'c-opening', title: 'Opening', start: '10:00', end: '11:00' },
        { id: 'c-panel', title: 'Panel', start: '11:30', end: '12:30' },
      ],
      interpretation: {
        languages: ['en', 'de'],
        interpreters: [{ email: 'de@interpreters.example', from: 'en', to: 'de' }],
      },
    },
    {
      date: '2030-06-04',
      kind: 'academy',
      title: 'Academy day 1',
      sessions: [
        { id: 'a1-open', title: 'Opening', start: '09:00', end: '10:30' },
        { id: 'a1-ws', title: 'Workshop', start: '11:00', end: '12:30', room: 'workshop-a' },
        { id: 'a1-ws-b', title: 'Workshop B', start: '11:00', end: '12:30' },
      ],
    },
    {
      date: '2030-06-05',
      kind: 'academy',
      title: 'Academy day 2',
      sessions: [{ id: 'a2-open', title: 'Opening', start: '09:00', end: '10:30' }],
    },
  ],
});

export const person = (i: number, role?: 'moderator' | 'panelist') => ({
  name: `Person ${i} Tester`,
  email: `person-${i}@resilience.example`,
  ...(role ? { role } : {}),
});

/** Environment of a worker or API child process talking to the given simulators. */
export function childEnv(input: { prefix: string; redisUrl?: string; bbbUrl: string; zoomUrl: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    REDIS_URL: input.redisUrl ?? REDIS_URL,
    REDIS_KEY_PREFIX: input.prefix,
    LINK_SIGNING_KEYS: SIGNING_KEY,
    PUBLIC_BASE_URL: 'http://links.test',
    BBB_URL: input.bbbUrl,
    BBB_SECRET: TEST_BBB_SECRET,
    ZOOM_ACCOUNT_ID: SIM_CREDENTIALS.accountId,
    ZOOM_CLIENT_ID: SIM_CREDENTIALS.clientId,
    ZOOM_CLIENT_SECRET: SIM_CREDENTIALS.clientSecret,
    ZOOM_API_URL: `${input.zoomUrl}/v2`,
    ZOOM_OAUTH_URL: input.zoomUrl,
    ZOOM_PLAN: 'business',
    LOG_LEVEL: 'debug',
    ...input.extra,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
