import { wallClock } from '../../clock.js';
import { MeetingsS2SAuthClient } from '@zoom/rivet/meetings';
import type { HttpReceiver, MeetingsS2SAuthOptions } from '@zoom/rivet/meetings';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { createResponseCapture, type CapturedResponse } from './response-capture.js';
import { createZoomTokenStore, type ZoomTokenStore } from './token-store.js';
import { ZoomApiError, toZoomApiError } from './zoom-errors.js';
import {
  ZoomAddedPanelistsSchema,
  ZoomAddedRegistrantSchema,
  ZoomBatchRegistrantsSchema,
  ZoomPanelistListSchema,
  ZoomPastParticipantPageSchema,
  ZoomRegistrantPageSchema,
  ZoomWebinarBodySchema,
  ZoomWebinarPatchSchema,
  ZoomWebinarSchema,
  ZoomWebinarListSchema,
  type ZoomWebinarSummary,
  type ZoomAddedPanelists,
  type ZoomAddedRegistrant,
  type ZoomBatchRegistrants,
  type ZoomPanelist,
  type ZoomPastParticipant,
  type ZoomRegistrant,
  type ZoomRegistrantInput,
  type ZoomRegistrantStatus,
  type ZoomWebinar,
  type ZoomWebinarBody,
  type ZoomWebinarPatch,
} from './zoom-schemas.js';

export interface ZoomClientOptions {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** API base including the version, e.g. https://api.zoom.us/v2. */
  apiUrl: string;
  /** OAuth origin, e.g. https://zoom.us. */
  oauthUrl: string;
  redis: Redis;
  timeoutMs?: number;
  keyPrefix?: string;
  now?: () => number;
  userAgentName?: string;
  tokenStore?: ZoomTokenStore;
  /** Called after every API response (or failure) for metrics: never given URLs, bodies or tokens. */
  observe?: (event: ZoomCallObservation) => void;
}

export interface ZoomCallObservation {
  status: number;
  durationMs: number;
  /** From X-RateLimit-Remaining / -Category when Zoom sent them. */
  rateLimitRemaining?: number;
  rateLimitCategory?: string;
}

export type ZoomWebinarId = number | string;
export type RegistrantStatusAction = 'cancel' | 'approve' | 'deny';

/** Zoom's per-call maximum for batch registrants, status updates and panelists (Meetings OpenAPI). */
export const ZOOM_MAX_ITEMS_PER_CALL = 30;
const REGISTRANT_PAGE_SIZE = 300;

export interface ZoomClient {
  createWebinar(userId: string, body: ZoomWebinarBody): Promise<ZoomWebinar>;
  getWebinar(id: ZoomWebinarId): Promise<ZoomWebinar>;
  /** The host's upcoming webinars (all pages). */
  listWebinars(userId: string): Promise<ZoomWebinarSummary[]>;
  updateWebinar(id: ZoomWebinarId, body: ZoomWebinarPatch): Promise<void>;
  /** Resolves `{ deleted: false }` when Zoom says the webinar does not exist (404 code 3001). */
  deleteWebinar(id: ZoomWebinarId): Promise<{ deleted: boolean }>;
  addBatchRegistrants(
    webinarId: ZoomWebinarId,
    input: { autoApprove: boolean; registrants: ReadonlyArray<{ email: string; first_name: string; last_name?: string }> },
  ): Promise<ZoomBatchRegistrants>;
  addRegistrant(webinarId: ZoomWebinarId, registrant: ZoomRegistrantInput): Promise<ZoomAddedRegistrant>;
  listRegistrants(webinarId: ZoomWebinarId, status?: ZoomRegistrantStatus): Promise<ZoomRegistrant[]>;
  /** Zoom finds each registrant by id or by email; an erased person's cancel has only the id. */
  updateRegistrantStatus(
    webinarId: ZoomWebinarId,
    action: RegistrantStatusAction,
    registrants: ReadonlyArray<{ id: string; email?: string } | { id?: string; email: string }>,
  ): Promise<void>;
  addPanelists(webinarId: ZoomWebinarId, panelists: ReadonlyArray<{ email: string; name: string }>): Promise<ZoomAddedPanelists>;
  listPanelists(webinarId: ZoomWebinarId): Promise<ZoomPanelist[]>;
  /** Everyone who attended the webinar's latest instance, one row per stay (all pages); 404 3001 until it has ended. */
  listPastParticipants(webinarId: ZoomWebinarId): Promise<ZoomPastParticipant[]>;
  readonly tokenStore: ZoomTokenStore;
  /** Stops observing HTTP responses; the Redis connection belongs to the caller. */
  close(): void;
}

type RivetCall = () => Promise<{ data?: unknown; statusCode: number }>;

function localRejection(message: string): ZoomApiError {
  return new ZoomApiError({ status: 400, code: 300, message: `not sent to Zoom: ${message}`, permanent: true });
}

function limitItems(what: string, count: number): void {
  if (count === 0) throw localRejection(`${what} is empty`);
  if (count > ZOOM_MAX_ITEMS_PER_CALL) throw localRejection(`${what} has ${count} items, Zoom takes at most ${ZOOM_MAX_ITEMS_PER_CALL} per call`);
}

export function createZoomClient(options: ZoomClientOptions): ZoomClient {
  // Zoom's token lifetimes and rate-limit resets are real time: the wall clock unless a test says otherwise.
  const { timeoutMs = 10_000, now = () => wallClock.now().getTime() } = options;
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const tokenStore =
    options.tokenStore ??
    createZoomTokenStore({
      redis: options.redis,
      accountId: options.accountId,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      oauthUrl: options.oauthUrl,
      now,
      fetchTimeoutMs: timeoutMs,
      ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    });

  const rivetOptions: MeetingsS2SAuthOptions<HttpReceiver> & { disableReceiver: true } = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    accountId: options.accountId,
    tokenStore,
    // No webhook server: webhooks arrive through our own HTTP app (see webhook-signature.ts).
    disableReceiver: true,
    ...(options.userAgentName === undefined ? {} : { userAgentName: options.userAgentName }),
  };
  // `baseUrl` and `timeout` are read by rivet's WebEndpoints at runtime but missing from its option types;
  // rivet's default timeout is 0, i.e. wait forever.
  const runtimeOnly = { baseUrl: apiUrl, timeout: timeoutMs };
  const rivet = new MeetingsS2SAuthClient({ ...rivetOptions, ...runtimeOnly } as typeof rivetOptions);
  const webinars = rivet.endpoints.webinars;
  const capture = createResponseCapture(apiUrl);

  async function send(call: RivetCall): Promise<{ data: unknown; status: number }> {
    for (let attempt = 0; ; attempt += 1) {
      const slot: CapturedResponse = {};
      const started = performance.now();
      const observe = (status: number) => {
        if (!options.observe) return;
        const remaining = Number(slot.headers?.['x-ratelimit-remaining']);
        const category = slot.headers?.['x-ratelimit-category'];
        options.observe({
          status,
          durationMs: performance.now() - started,
          ...(Number.isFinite(remaining) && slot.headers?.['x-ratelimit-remaining'] !== undefined ? { rateLimitRemaining: remaining } : {}),
          ...(typeof category === 'string' ? { rateLimitCategory: category } : {}),
        });
      };
      try {
        const response = await capture.run(slot, call);
        observe(response.statusCode);
        return { data: response.data, status: response.statusCode };
      } catch (error) {
        const failure = toZoomApiError(error, now(), slot.headers);
        observe(failure.status);
        // 124 is "Invalid access token": ours was revoked or expired early. Fetch a new one and try once more.
        if (failure.status === 401 && failure.code === 124 && attempt === 0) {
          await tokenStore.invalidate(slot.bearerToken);
          continue;
        }
        throw failure;
      }
    }
  }

  function parse<S extends z.ZodType>(schema: S, what: string, result: { data: unknown; status: number }): z.infer<S> {
    const parsed = schema.safeParse(result.data);
    if (parsed.success) return parsed.data;
    throw new ZoomApiError({
      status: result.status,
      message: `Zoom ${what} reply has an unexpected shape: ${parsed.error.message}`,
      permanent: true,
    });
  }

  const idString = (id: ZoomWebinarId) => String(id);
  const idNumber = (id: ZoomWebinarId) => Number(id);

  return {
    tokenStore,
    close: () => capture.close(),

    async createWebinar(userId, body) {
      const checked = ZoomWebinarBodySchema.parse(body);
      const result = await send(() =>
        webinars.createWebinar({ path: { userId }, body: checked as Parameters<typeof webinars.createWebinar>[0]['body'] }),
      );
      return parse(ZoomWebinarSchema, 'create webinar', result);
    },

    async getWebinar(id) {
      const result = await send(() => webinars.getWebinar({ path: { webinarId: idString(id) } }));
      return parse(ZoomWebinarSchema, 'get webinar', result);
    },

    async updateWebinar(id, body) {
      const checked = ZoomWebinarPatchSchema.parse(body);
      await send(() =>
        webinars.updateWebinar({
          path: { webinarId: idNumber(id) },
          body: checked as Parameters<typeof webinars.updateWebinar>[0]['body'],
        }),
      );
    },

    async deleteWebinar(id) {
      try {
        await send(() => webinars.deleteWebinar({ path: { webinarId: idNumber(id) } }));
        return { deleted: true };
      } catch (error) {
        if (error instanceof ZoomApiError && error.status === 404 && error.code === 3001) return { deleted: false };
        throw error;
      }
    },

    async addBatchRegistrants(webinarId, { autoApprove, registrants }) {
      limitItems('registrants', registrants.length);
      const result = await send(() =>
        webinars.performBatchRegistration({
          path: { webinarId: idString(webinarId) },
          body: { auto_approve: autoApprove, registrants: registrants.map((r) => ({ ...r })) },
        }),
      );
      return parse(ZoomBatchRegistrantsSchema, 'batch registrants', result);
    },

    async addRegistrant(webinarId, registrant) {
      const result = await send(() =>
        webinars.addWebinarRegistrant({
          path: { webinarId: idNumber(webinarId) },
          body: { ...registrant } as Parameters<typeof webinars.addWebinarRegistrant>[0]['body'],
        }),
      );
      return parse(ZoomAddedRegistrantSchema, 'add registrant', result);
    },

    async listWebinars(userId) {
      const all: ZoomWebinarSummary[] = [];
      let nextPageToken: string | undefined;
      do {
        const query = { type: 'upcoming' as const, page_size: 300, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
        const result = await send(() => webinars.listWebinars({ path: { userId }, query: query as Parameters<typeof webinars.listWebinars>[0]['query'] }));
        const page = parse(ZoomWebinarListSchema, 'list webinars', result);
        all.push(...page.webinars);
        nextPageToken = page.next_page_token || undefined;
      } while (nextPageToken);
      return all;
    },

    async listRegistrants(webinarId, status = 'approved') {
      const all: ZoomRegistrant[] = [];
      let nextPageToken: string | undefined;
      do {
        const query = { status, page_size: REGISTRANT_PAGE_SIZE, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
        const result = await send(() => webinars.listWebinarRegistrants({ path: { webinarId: idNumber(webinarId) }, query }));
        const page = parse(ZoomRegistrantPageSchema, 'list registrants', result);
        all.push(...page.registrants);
        nextPageToken = page.next_page_token || undefined;
      } while (nextPageToken);
      return all;
    },

    async updateRegistrantStatus(webinarId, action, registrants) {
      limitItems('registrants', registrants.length);
      await send(() =>
        webinars.updateRegistrantsStatus({
          path: { webinarId: idNumber(webinarId) },
          body: { action, registrants: registrants.map((r) => ({ ...r })) },
        }),
      );
    },

    async addPanelists(webinarId, panelists) {
      limitItems('panelists', panelists.length);
      const result = await send(() =>
        webinars.addPanelists({
          path: { webinarId: idNumber(webinarId) },
          body: { panelists: panelists.map((p) => ({ email: p.email, name: p.name })) },
        }),
      );
      return parse(ZoomAddedPanelistsSchema, 'add panelists', result);
    },

    async listPanelists(webinarId) {
      const result = await send(() => webinars.listPanelists({ path: { webinarId: idNumber(webinarId) } }));
      return parse(ZoomPanelistListSchema, 'list panelists', result).panelists;
    },

    async listPastParticipants(webinarId) {
      const all: ZoomPastParticipant[] = [];
      let nextPageToken: string | undefined;
      do {
        // include_fields is documented on the operation (registrant_id "only returns if you pass" it) but missing
        // from rivet's query type.
        const query = { page_size: REGISTRANT_PAGE_SIZE, include_fields: 'registrant_id', ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
        const result = await send(() =>
          webinars.listWebinarParticipants({ path: { webinarId: idString(webinarId) }, query: query as Parameters<typeof webinars.listWebinarParticipants>[0]['query'] }),
        );
        const page = parse(ZoomPastParticipantPageSchema, 'past participants', result);
        all.push(...page.participants);
        nextPageToken = page.next_page_token || undefined;
      } while (nextPageToken);
      return all;
    },
  };
}
