import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../../src/providers/bbb/checksum.js';
import * as calls from './api-calls.js';
import type { ApiResult, CallContext } from './api-calls.js';
import { verifyChecksum } from './checksum-verifier.js';
import { readBody, RequestTooLarge, sendHtml, sendText, sendXml } from './http-io.js';
import { join } from './join-call.js';
import { invalidSessionPage, joinedPage, leftPage } from './join-page.js';
import { createMeetingRegistry, type Attendee, type Meeting } from './meeting-registry.js';
import { createAnalyticsSender, type AnalyticsSender } from './analytics-callback.js';
import { el, failedXml, successXml } from './xml-writer.js';

// A stand-in for a BigBlueButton server that speaks its wire protocol (see /work/shared/notes/bbb-api.md):
// raw-query checksums, HTTP 200 XML for FAILED, redirecting joins, meeting expiry. Used by the tests and by the demo.

export interface BbbSimulatorOptions {
  secret: string;
  allowedAlgorithms?: ChecksumAlgorithm[];
  host?: string;
  port?: number;
  emptyMeetingExpiryMs?: number;
  lastUserLeftExpiryMs?: number;
  /** how long an ended meeting stays visible to getMeetingInfo before it is removed */
  endedMeetingRetentionMs?: number;
  now?: () => number;
  /** How long after a meeting ends its analytics callback is sent (the recording pipeline runs first); default 0. */
  analyticsDelayMs?: number;
}

export type FaultKind = 'http500' | 'reset' | 'failedXml';

export interface SimulatorFaults {
  /** delay before every request is answered */
  latencyMs: number;
  /** when true, every connection is destroyed as soon as it opens */
  down: boolean;
  /** the next n requests fail this way instead of being handled */
  failNext(n: number, kind: FaultKind): void;
}

export interface RecordedCall {
  callName: string;
  params: Record<string, string>;
  at: number;
}

export interface MeetingView extends Readonly<Omit<Meeting, 'metadata' | 'attendees'>> {
  running: boolean;
  ended: boolean;
  metadata: Readonly<Record<string, string>>;
  attendees: ReadonlyArray<Readonly<Attendee>>;
}

export interface BbbSimulator {
  /** API base, e.g. http://127.0.0.1:PORT/bigbluebutton/ */
  url: string;
  close(): Promise<void>;
  /** snapshot of current meetings by meetingID, after an expiry sweep */
  readonly meetings: ReadonlyMap<string, MeetingView>;
  /** checksum-valid API calls in arrival order */
  readonly calls: ReadonlyArray<RecordedCall>;
  callCount(callName: string): number;
  readonly faults: SimulatorFaults;
  userLeaves(meetingID: string, userID: string): boolean;
  endMeeting(meetingID: string): boolean;
  expireNow(): void;
  /** Learning-analytics callbacks sent at meeting end (set `drop` to lose them). */
  readonly analytics: AnalyticsSender;
}

type Handler = (ctx: CallContext) => ApiResult;

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['create', calls.create],
  ['join', join],
  ['isMeetingRunning', calls.isMeetingRunning],
  ['getMeetingInfo', calls.getMeetingInfo],
  ['getMeetings', calls.getMeetings],
  ['end', calls.end],
]);

const API_PREFIX = '/bigbluebutton/api';
function snapshot(meeting: Meeting): MeetingView {
  return {
    ...meeting,
    running: meeting.attendees.length > 0,
    ended: meeting.endedAt !== undefined,
    metadata: Object.fromEntries(meeting.metadata),
    attendees: meeting.attendees.map((a) => ({ ...a })),
  };
}

export async function startBbbSimulator(opts: BbbSimulatorOptions): Promise<BbbSimulator> {
  const now = opts.now ?? Date.now;
  const allowed = opts.allowedAlgorithms ?? [...CHECKSUM_ALGORITHMS];
  const analytics = createAnalyticsSender(opts.secret, opts.analyticsDelayMs ?? 0, now);
  const registry = createMeetingRegistry(
    now,
    {
      emptyMeetingExpiryMs: opts.emptyMeetingExpiryMs ?? 5 * 60_000,
      lastUserLeftExpiryMs: opts.lastUserLeftExpiryMs ?? 60_000,
      endedMeetingRetentionMs: opts.endedMeetingRetentionMs ?? 60_000,
    },
    (meeting) => analytics.onEnded(meeting),
  );
  // Meetings end on their own (last user gone, duration over) even when nobody calls the API.
  const sweeper = setInterval(() => registry.sweep(), 1000).unref();
  const recorded: RecordedCall[] = [];
  const counts = new Map<string, number>();
  const pendingFaults: FaultKind[] = [];
  const closing = new AbortController();
  let origin = '';

  const faults: SimulatorFaults = {
    latencyMs: 0,
    down: false,
    failNext(n, kind) {
      for (let i = 0; i < n; i += 1) pendingFaults.push(kind);
    },
  };

  async function apiCall(req: IncomingMessage, res: ServerResponse, callName: string, rawQuery: string) {
    const handler = HANDLERS.get(callName);
    if (handler === undefined) {
      sendText(res, 404, 'Not Found');
      return;
    }
    const method = req.method ?? 'GET';
    // join accepts GET only since 2.6.18/2.7.8; the other calls also take POST.
    if (method !== 'GET' && !(method === 'POST' && callName !== 'join')) {
      res.setHeader('Allow', callName === 'join' ? 'GET' : 'GET, POST');
      sendText(res, 405, 'Method Not Allowed');
      return;
    }
    const urlParams = new URLSearchParams(rawQuery);
    let bodyParams = new URLSearchParams();
    if (method === 'POST') {
      const body = await readBody(req);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (contentType === 'application/x-www-form-urlencoded') {
        bodyParams = new URLSearchParams(body);
      } else if (body !== '' && contentType !== 'text/xml' && contentType !== 'application/xml') {
        sendXml(res, failedXml('unsupportedContentType', 'The content type is not supported.'));
        return;
      }
    }

    // The checksum covers the URL query only, so a parameter also smuggled into the body fails it.
    const duplicated = [...new Set(bodyParams.keys())].some((name) => urlParams.has(name));
    const verdict = duplicated
      ? { ok: false as const, message: 'Checksums do not match' }
      : verifyChecksum({
          callName,
          rawQuery,
          provided: urlParams.get('checksum') ?? undefined,
          secret: opts.secret,
          allowed,
        });
    if (!verdict.ok) {
      sendXml(res, failedXml('checksumError', verdict.message));
      return;
    }

    // HttpServletRequest.getParameter: first value wins, query before body.
    const params = new Map<string, string>();
    for (const source of [urlParams, bodyParams]) {
      for (const [name, value] of source) {
        if (name !== 'checksum' && !params.has(name)) params.set(name, value);
      }
    }
    recorded.push({ callName, params: Object.fromEntries(params), at: now() });
    counts.set(callName, (counts.get(callName) ?? 0) + 1);

    registry.sweep();
    const result = handler({ registry, read: (name) => params.get(name), names: [...params.keys()], origin });
    if (result.kind === 'redirect') {
      res.writeHead(302, { Location: result.location, 'Cache-Control': 'no-cache' });
      res.end();
    } else {
      sendXml(res, result.body);
    }
  }

  function clientPage(res: ServerResponse, rawQuery: string) {
    registry.sweep();
    const token = new URLSearchParams(rawQuery).get('sessionToken') ?? '';
    const session = registry.session(token);
    if (session === undefined) {
      sendHtml(res, 401, invalidSessionPage());
      return;
    }
    const meeting = registry.get(session.meetingID);
    const present =
      meeting !== undefined &&
      meeting.internalMeetingID === session.internalMeetingID &&
      meeting.attendees.some((a) => a.internalUserID === session.internalUserID);
    sendHtml(res, 200, joinedPage(session, present));
  }

  function index(res: ServerResponse) {
    sendXml(
      res,
      successXml([
        el('version', '2.0'),
        el('apiVersion', '2.0'),
        el('bbbVersion', '3.0.0-simulator'),
        el('graphqlWebsocketUrl', `${origin.replace(/^http/, 'ws')}/graphql`),
        el('graphqlApiUrl', `${origin}/api/rest`),
      ]),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (faults.down) {
      req.socket.destroy();
      return;
    }
    if (faults.latencyMs > 0) await delay(faults.latencyMs, undefined, { signal: closing.signal });
    const fault = pendingFaults.shift();
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'http500') {
      sendText(res, 500, 'Internal Server Error');
      return;
    }
    if (fault === 'failedXml') {
      sendXml(res, failedXml('simulatedFailure', 'The simulator was told to fail this request.'));
      return;
    }

    // req.url is the raw request target: the query must reach the checksum check still percent-encoded.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const rawQuery = q === -1 ? '' : target.slice(q + 1);

    if (path === API_PREFIX || path === `${API_PREFIX}/`) {
      index(res);
    } else if (path.startsWith(`${API_PREFIX}/`)) {
      await apiCall(req, res, path.slice(API_PREFIX.length + 1), rawQuery);
    } else if (path === '/html5client/join') {
      clientPage(res, rawQuery);
    } else if (path === '/html5client/leave' && req.method === 'POST') {
      registry.sweep();
      registry.leaveSession(new URLSearchParams(rawQuery).get('sessionToken') ?? '');
      sendHtml(res, 200, leftPage());
    } else {
      sendText(res, 404, 'Not Found');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (closing.signal.aborted) {
        req.socket.destroy();
      } else if (err instanceof RequestTooLarge) {
        sendText(res, 413, 'Payload Too Large');
      } else if (!res.headersSent) {
        sendText(res, 500, 'Internal Server Error');
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    if (faults.down) socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  origin = `http://${host}:${address.port}`;

  return {
    url: `${origin}/bigbluebutton/`,
    async close() {
      clearInterval(sweeper);
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    get meetings() {
      registry.sweep();
      return new Map(registry.all().map((m) => [m.meetingID, snapshot(m)]));
    },
    calls: recorded,
    callCount: (callName) => counts.get(callName) ?? 0,
    faults,
    userLeaves(meetingID, userID) {
      registry.sweep();
      return registry.leave(meetingID, userID);
    },
    endMeeting(meetingID) {
      registry.sweep();
      return registry.end(meetingID);
    },
    expireNow: () => registry.sweep(),
    analytics,
  };
}
