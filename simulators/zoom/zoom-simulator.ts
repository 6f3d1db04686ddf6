import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ZOOM_OPERATION_LABELS, type ZoomOperation, type ZoomRateLimitLabel } from '../../src/providers/zoom/rate-limits.js';
import * as attendees from './attendee-handlers.js';
import { joinPage, leavePage } from './join-page.js';
import * as lifecycle from './webinar-lifecycle.js';
import { createTokenRegistry, handleTokenRequest } from './oauth-handler.js';
import { createSimContext, type SimContext } from './simulator-context.js';
import { parseJsonObject, readBody, zoomError } from './simulator-http.js';
import { createSimRateLimiter } from './simulator-limits.js';
import type { CallLabel, FaultKind, SimCall, SimReply, ZoomSimulatorOptions, ZoomSimulatorState } from './simulator-types.js';
import * as webinars from './webinar-handlers.js';

export type { ZoomSimulatorOptions, ZoomSimulatorState } from './simulator-types.js';

/**
 * A local stand-in for zoom.us (OAuth) and api.zoom.us/v2 (webinars) that answers as Zoom documents it: same paths,
 * status codes, error bodies, quotas and rate-limit headers. Used by tests and by the demo; state is in memory.
 */
export interface ZoomSimulatorFaults {
  latencyMs: number;
  down: boolean;
  /** The next `count` API calls (under /v2) fail this way; `lostResponse` performs the call, then drops the socket. */
  failNext(count: number, kind: FaultKind): void;
  /** The next `count` webhook notifications are lost (recorded in webhookDeliveries as dropped). */
  dropWebhooks: number;
}

export interface ZoomSimulator {
  oauthUrl: string;
  apiUrl: string;
  origin: string;
  state: ZoomSimulatorState;
  calls: SimCall[];
  faults: ZoomSimulatorFaults;
  readonly count429: number;
  webhookDeliveries: Array<{ event: string; status?: number; error?: string; dropped?: boolean }>;
  /** Ends a running webinar as its host would: everyone leaves, `webinar.ended` is sent, past participants appear. */
  endWebinar(webinarId: number | string): boolean;
  /** Resolves once every webhook notification sent so far has been answered. */
  webhooksSettled(): Promise<void>;
  /** Makes every issued token invalid, as after a credential rotation. */
  revokeTokens(): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  operation: ZoomOperation;
  needsBody: boolean;
  handle(ctx: SimContext, params: string[], body: Record<string, unknown>, query: URLSearchParams): SimReply;
}

const p = (id: string | undefined) => id ?? '';

const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/v2\/users\/([^/]+)\/webinars$/, operation: 'createWebinar', needsBody: true, handle: (c, [u], b) => webinars.createWebinar(c, decodeURIComponent(p(u)), b) },
  { method: 'GET', pattern: /^\/v2\/users\/([^/]+)\/webinars$/, operation: 'listWebinars', needsBody: false, handle: (c, [u], _b, q) => webinars.listWebinars(c, decodeURIComponent(p(u)), q) },
  { method: 'GET', pattern: /^\/v2\/webinars\/([^/]+)$/, operation: 'getWebinar', needsBody: false, handle: (c, [id]) => webinars.getWebinar(c, p(id)) },
  { method: 'PATCH', pattern: /^\/v2\/webinars\/([^/]+)$/, operation: 'updateWebinar', needsBody: true, handle: (c, [id], b) => webinars.updateWebinar(c, p(id), b) },
  { method: 'DELETE', pattern: /^\/v2\/webinars\/([^/]+)$/, operation: 'deleteWebinar', needsBody: false, handle: (c, [id]) => webinars.deleteWebinar(c, p(id)) },
  { method: 'POST', pattern: /^\/v2\/webinars\/([^/]+)\/registrants$/, operation: 'addRegistrant', needsBody: true, handle: (c, [id], b) => attendees.addRegistrant(c, p(id), b) },
  { method: 'GET', pattern: /^\/v2\/webinars\/([^/]+)\/registrants$/, operation: 'listRegistrants', needsBody: false, handle: (c, [id], _b, q) => attendees.listRegistrants(c, p(id), q) },
  { method: 'PUT', pattern: /^\/v2\/webinars\/([^/]+)\/registrants\/status$/, operation: 'updateRegistrantStatus', needsBody: true, handle: (c, [id], b) => attendees.updateRegistrantStatus(c, p(id), b) },
  { method: 'POST', pattern: /^\/v2\/webinars\/([^/]+)\/batch_registrants$/, operation: 'addBatchRegistrants', needsBody: true, handle: (c, [id], b) => attendees.addBatchRegistrants(c, p(id), b) },
  { method: 'POST', pattern: /^\/v2\/webinars\/([^/]+)\/panelists$/, operation: 'addPanelists', needsBody: true, handle: (c, [id], b) => attendees.addPanelists(c, p(id), b) },
  { method: 'GET', pattern: /^\/v2\/webinars\/([^/]+)\/panelists$/, operation: 'listPanelists', needsBody: false, handle: (c, [id]) => attendees.listPanelists(c, p(id)) },
  { method: 'GET', pattern: /^\/v2\/past_webinars\/([^/]+)\/participants$/, operation: 'listPastParticipants', needsBody: false, handle: (c, [id], _b, q) => lifecycle.pastParticipants(c, p(id), q) },
];

function write(res: ServerResponse, reply: SimReply): void {
  const headers: Record<string, string> = { 'x-zm-trackingid': `SIM_${randomUUID().replaceAll('-', '')}`, ...reply.headers };
  if (reply.html !== undefined) {
    res.writeHead(reply.status, { ...headers, 'content-type': 'text/html; charset=utf-8' });
    res.end(reply.html);
  } else if (reply.body !== undefined) {
    res.writeHead(reply.status, { ...headers, 'content-type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(reply.body));
  } else {
    res.writeHead(reply.status, headers);
    res.end();
  }
}

export async function startZoomSimulator(options: ZoomSimulatorOptions): Promise<ZoomSimulator> {
  const now = options.now ?? Date.now;
  const enforceRateLimits = options.enforceRateLimits ?? true;
  let origin = '';
  const ctx = createSimContext({ now, origin: () => origin, accountId: options.accountId, dropInterpretation: options.dropInterpretation ?? false });
  const registry = createTokenRegistry(() => ctx.randomToken(32));
  const limiter = createSimRateLimiter({
    plan: options.plan ?? 'pro',
    now,
    perSecondLimits: options.perSecondLimits ?? {},
    ...(options.dailyLimits ? { dailyLimits: options.dailyLimits } : {}),
  });
  const calls: SimCall[] = [];
  const webhookDeliveries: ZoomSimulator['webhookDeliveries'] = [];
  const pendingFaults: FaultKind[] = [];
  let count429 = 0;
  const faults: ZoomSimulatorFaults = {
    latencyMs: 0,
    down: false,
    failNext(count, kind) {
      for (let i = 0; i < count; i += 1) pendingFaults.push(kind);
    },
    dropWebhooks: 0,
  };
  // Sent one after another, in the order things happened (Zoom's own deliveries are not ordered; ours are).
  let webhookChain: Promise<void> = Promise.resolve();
  const notify = (event: string, object: Record<string, unknown>) => {
    const hook = options.webhook;
    if (!hook) return;
    if (faults.dropWebhooks > 0) {
      faults.dropWebhooks -= 1;
      webhookDeliveries.push({ event, dropped: true });
      return;
    }
    webhookChain = webhookChain.then(() =>
      lifecycle.postWebhook(ctx, hook, event, object).then(
        (status) => void webhookDeliveries.push({ event, status }),
        (error: unknown) => void webhookDeliveries.push({ event, error: String(error) }),
      ),
    );
  };
  const end = (w: NonNullable<ReturnType<typeof ctx.state.webinars.get>>) => {
    const open = lifecycle.participations(ctx, w).filter((p) => p.leaveAt === undefined);
    if (!lifecycle.endWebinar(ctx, w)) return false;
    for (const p of open) notify('webinar.participant_left', { ...lifecycle.webinarObject(ctx, w), participant: lifecycle.participantObject(p, 'leave_time') });
    notify('webinar.ended', { ...lifecycle.webinarObject(ctx, w), end_time: new Date(w.endedAt ?? now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    return true;
  };
  // A webinar ends by itself at its scheduled end, as the demo needs; the host may end it earlier.
  const sweeper = setInterval(() => lifecycle.overdue(ctx).forEach(end), 1000).unref();

  const record = (method: string, path: string, label: CallLabel, status: number, fault?: FaultKind) => {
    if (status === 429) count429 += 1;
    calls.push({ method, path, label, status, at: now(), ...(fault ? { fault } : {}) });
  };

  async function route(req: IncomingMessage, url: URL, body: string): Promise<{ reply: SimReply; label: CallLabel }> {
    const method = req.method ?? 'GET';
    if (url.pathname === '/oauth/token') {
      if (method !== 'POST') return { reply: zoomError(405, 405, 'Method not allowed.'), label: 'oauth' };
      const reply = handleTokenRequest({
        headers: req.headers,
        query: url.searchParams,
        body,
        credentials: options,
        registry,
        nowMs: now(),
      });
      return { reply, label: 'oauth' };
    }
    const joinMatch = /^\/w\/([^/]+)$/.exec(url.pathname);
    if (joinMatch && method === 'GET') {
      const outcome = joinPage(ctx, joinMatch[1] ?? '', url.searchParams.get('tk'));
      if (outcome.join) {
        const { webinar: w, stay, started } = outcome.join;
        if (started) notify('webinar.started', lifecycle.webinarObject(ctx, w));
        notify('webinar.participant_joined', { ...lifecycle.webinarObject(ctx, w), participant: lifecycle.participantObject(stay, 'join_time') });
      }
      return { reply: outcome.reply, label: 'page' };
    }
    const leaveMatch = /^\/w\/([^/]+)\/leave$/.exec(url.pathname);
    if (leaveMatch && method === 'POST') {
      const outcome = leavePage(ctx, leaveMatch[1] ?? '', url.searchParams.get('tk'));
      if (outcome.left) notify('webinar.participant_left', { ...lifecycle.webinarObject(ctx, outcome.left.webinar), participant: lifecycle.participantObject(outcome.left.stay, 'leave_time') });
      return { reply: outcome.reply, label: 'page' };
    }
    const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
    if (candidates.length === 0) return { reply: zoomError(404, 404, 'Not Found'), label: 'none' };
    const matched = candidates.find((r) => r.method === method);
    if (!matched) return { reply: zoomError(405, 405, 'Method not allowed.'), label: 'none' };
    const label: ZoomRateLimitLabel = ZOOM_OPERATION_LABELS[matched.operation];
    const authorization = req.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
    if (!token || !registry.isValid(token, now())) return { reply: zoomError(401, 124, 'Invalid access token.'), label };
    if (enforceRateLimits) {
      const limited = limiter.check(label);
      if (limited) return { reply: limited, label };
    }
    let parsed: Record<string, unknown> = {};
    if (matched.needsBody) {
      const json = parseJsonObject(body);
      if (!json.ok) return { reply: json.reply, label };
      parsed = json.value;
    }
    const params = (matched.pattern.exec(url.pathname) ?? []).slice(1);
    const reply = matched.handle(ctx, params, parsed, url.searchParams);
    // A handler's 429 is a user- or registrant-level quota: Zoom answers it with the account label's headers,
    // whose budget is not spent, and without X-RateLimit-Type or Retry-After.
    if (reply.status === 429 && !reply.headers) return { reply: { ...reply, headers: limiter.budgetHeaders(label) }, label };
    return { reply, label };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const method = req.method ?? 'GET';
    if (faults.down) {
      record(method, url.pathname, 'none', 0);
      req.socket.destroy();
      return;
    }
    const fault = url.pathname.startsWith('/v2/') ? pendingFaults.shift() : undefined;
    if (fault === 'reset') {
      record(method, url.pathname, 'none', 0, fault);
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (fault === 'http500') {
      record(method, url.pathname, 'none', 500, fault);
      write(res, zoomError(500, 500, 'Internal Server Error.'));
      return;
    }
    const { reply, label } = await route(req, url, body);
    record(method, url.pathname, label, reply.status, fault);
    if (fault === 'lostResponse') {
      req.socket.destroy();
      return;
    }
    write(res, reply);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) write(res, zoomError(500, 500, `Simulator failure: ${String(error)}`));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    if (faults.down) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${address.address}:${address.port}`;

  return {
    oauthUrl: origin,
    apiUrl: `${origin}/v2`,
    origin,
    state: ctx.state,
    calls,
    faults,
    webhookDeliveries,
    get count429() {
      return count429;
    },
    revokeTokens: () => registry.revokeAll(),
    endWebinar(webinarId) {
      const w = ctx.state.webinars.get(Number(webinarId));
      return w ? end(w) : false;
    },
    webhooksSettled: () => webhookChain,
    close() {
      clearInterval(sweeper);
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
    },
  };
}
