// `npm run demo`: the whole service on one machine without any BigBlueButton or Zoom account.
// API and worker run in this process against built-in simulators of both providers on loopback.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config/env.js';
import { programmeSchema, type ProgrammeInput } from '../src/domain/programme.js';
import { RedisUnreachableError } from '../src/composition/core.js';
import { startRoles, type RunningService } from '../src/composition/roles.js';
import { startBbbSimulator } from '../simulators/bbb/bbb-simulator.js';
import { startZoomSimulator } from '../simulators/zoom/zoom-simulator.js';
import { createRedis, deleteMatching } from '../src/store/redis.js';
import { singleLine } from '../src/domain/single-line.js';
import { programmeAroundNow } from './programme-around-now.js';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';

const port = Number(process.env.PORT ?? 3000);
const base = process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`;
const bbbSecret = randomBytes(16).toString('hex');
const zoomCredentials = { accountId: 'demo-account', clientId: 'demo-client', clientSecret: randomBytes(16).toString('hex') };

// Mail goes to a catcher on loopback with a web inbox, unless SMTP_URL says where it should go.
const userSmtpUrl = process.env.SMTP_URL?.trim() || undefined;
const inboxPort = Number(process.env.DEMO_INBOX_PORT?.trim() || 0);
if (!Number.isInteger(inboxPort) || inboxPort < 0 || inboxPort > 65535) {
  process.stderr.write('DEMO_INBOX_PORT must be a port number (0 or unset: any free port)\n');
  process.exit(1);
}
let catcher: MailCatcher | undefined;
if (!userSmtpUrl) {
  try {
    catcher = await startMailCatcher({
      host: '127.0.0.1',
      httpPort: inboxPort,
      onMail: (mail) => process.stdout.write(`inbox: "${singleLine(mail.parsed.subject ?? '')}" to ${mail.envelope.to.join(', ')}  ${catcher?.inboxUrl ?? ''}m/${mail.id}\n`),
    });
  } catch (error) {
    process.stderr.write(`the demo's mail inbox could not start on 127.0.0.1:${inboxPort}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

const bbb = await startBbbSimulator({ secret: bbbSecret, host: '127.0.0.1', port: 0 });
// Zoom's notifications (joins, leaves, the webinar's end) come to the demo's own webhook route.
const zoomWebhookSecret = randomBytes(16).toString('hex');
const zoom = await startZoomSimulator({ ...zoomCredentials, host: '127.0.0.1', port: 0, webhook: { url: `${base}/webhooks/zoom`, secretToken: zoomWebhookSecret } });

const source = JSON.parse(await readFile(new URL('../config/programmes/hrgl-2024.json', import.meta.url), 'utf8')) as ProgrammeInput;
const shifted = programmeAroundNow(source, new Date(), 3);
// The conference moves to the first day too, so both kinds of join can be tried right away.
const firstDate = shifted.days[0]?.date ?? '';
const programme = programmeSchema.parse({
  ...shifted,
  id: 'demo',
  joinOpensMinutesBefore: 90,
  days: shifted.days.map((day) => (day.kind === 'conference' ? { ...day, date: firstDate } : day)),
});

const organizerToken = randomBytes(18).toString('base64url');
// A prefix of its own unless one is given; only its own is deleted when the demo stops.
const ownPrefix = process.env.REDIS_KEY_PREFIX ? undefined : `demo-${Date.now().toString(36)}`;
const config = loadConfig({
  ...process.env,
  PORT: String(port),
  PUBLIC_BASE_URL: base,
  REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX ?? ownPrefix,
  ROLE: 'all',
  ORGANIZER_TOKENS: organizerToken,
  LINK_SIGNING_KEYS: `demo:${randomBytes(32).toString('base64url')}`,
  BBB_URL: bbb.url,
  BBB_SECRET: bbbSecret,
  ZOOM_ACCOUNT_ID: zoomCredentials.accountId,
  ZOOM_CLIENT_ID: zoomCredentials.clientId,
  ZOOM_CLIENT_SECRET: zoomCredentials.clientSecret,
  ZOOM_API_URL: zoom.apiUrl,
  ZOOM_OAUTH_URL: zoom.oauthUrl,
  ZOOM_WEBHOOK_SECRET_TOKEN: zoomWebhookSecret,
  // Presence in the rooms is looked at more often than in production, so the report fills while you watch.
  ATTENDANCE_POLL_SECONDS: process.env.ATTENDANCE_POLL_SECONDS ?? '15',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  PROGRAMME_FILE: '',
  SMTP_URL: catcher?.smtpUrl ?? userSmtpUrl,
  MAIL_FROM: process.env.MAIL_FROM?.trim() || '"HRGL Academy (demo)" <academy@demo.example>',
});

let service: RunningService;
try {
  service = await startRoles(config);
} catch (error) {
  await bbb.close();
  await zoom.close();
  await catcher?.close();
  if (error instanceof RedisUnreachableError) {
    process.stderr.write(
      `${error.message}\nThe demo needs a Redis on ${config.redisUrl}. Start one with \`redis-server\` (Debian: apt-get install redis-server) ` +
        `or \`docker run -p 6379:6379 redis:7\`, or point REDIS_URL at one.\n`,
    );
    process.exit(1);
  }
  throw error;
}

const { core, api } = service;
await core.events.put(programme);
const stored = await core.events.getStored('demo');
if (stored) await core.provisioning.provisionNow(stored);
// One of them reads German: their mails (and pages) are in German, the other's in English.
const samples = [
  { name: 'Maria Moderator', email: 'maria@demo.example', role: 'moderator', language: 'en' },
  { name: 'Jonas Weber', email: 'jonas@demo.example', role: 'participant', language: 'de-AT' },
] as const;
const issued = await api?.app.participants.add('demo', [...samples]);
const languageOf = (email: string) => samples.find((s) => s.email === email)?.language ?? programme.language;

const firstAcademy = programme.days.find((d) => d.kind === 'academy')?.sessions[0];
const firstConference = programme.days.find((d) => d.kind === 'conference')?.sessions[0];
const lines = [
  '',
  'academy-orchestrator demo is running (Ctrl-C stops it)',
  `  programme "${programme.title}", moved to today in ${programme.timezone}; the first session starts at ${firstAcademy?.start}`,
  `  API docs:        ${base}/docs`,
  `  organizer token: ${organizerToken}   (e.g. curl -H "authorization: Bearer ${organizerToken}" ${base}/api/v1/events/demo/provisioning)`,
  `  job dashboard:   ${base}/admin/queues/   (any user name, the organizer token as password)`,
  `  attendance:      curl -H "authorization: Bearer ${organizerToken}" ${base}/api/v1/events/demo/attendance   (add -H "accept: text/csv" for CSV; leave a room and it fills in)`,
  `  simulated BigBlueButton ${bbb.url} and Zoom ${zoom.apiUrl}`,
  `  Redis keys:      ${config.redisKeyPrefix}:*${ownPrefix ? ' (deleted when the demo stops)' : ''}`,
  catcher
    ? `  mail inbox:      ${catcher.inboxUrl}   (the invitations arrive within seconds; SMTP ${catcher.smtpUrl})`
    : `  mail:            sent through your SMTP_URL (${smtpHost(config.mail.smtp?.url)}) from ${config.mail.smtp?.from ?? '-'}, to the sample addresses @demo.example`,
  '',
  ...(issued ?? []).flatMap((p) => [
    `${p.name} (${p.role}, language ${languageOf(p.email)})`,
    `  personal page:  ${p.links.page}`,
    `  calendar feed:  ${p.links.calendar}`,
    `  join academy:   ${firstAcademy ? p.links.join[firstAcademy.id] : '-'}`,
    `  join conference: ${firstConference ? p.links.join[firstConference.id] : '-'}`,
  ]),
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);

const stop = async () => {
  await service.close();
  await bbb.close();
  await zoom.close();
  await catcher?.close();
  if (ownPrefix) {
    // After the workers stopped, so no job writes a key behind the sweep.
    // A waiting connection: a fail-fast one would refuse the sweep before it has even connected.
    const redis = createRedis(config.redisUrl, 'worker', { maxRetriesPerRequest: 3 });
    try {
      await deleteMatching(redis, `${ownPrefix}:*`);
      process.stdout.write(`demo stopped; its keys (${ownPrefix}:*) are deleted from Redis\n`);
    } catch (error) {
      process.stderr.write(`demo stopped, but its keys (${ownPrefix}:*) could not be deleted: ${(error as Error).message}\n`);
    }
    await redis.quit().catch(() => undefined);
  }
  process.exit(0);
};
/** Where SMTP_URL points, without its credentials. */
function smtpHost(url: string | undefined): string {
  if (!url) return '-';
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

process.once('SIGINT', stop);
process.once('SIGTERM', stop);
