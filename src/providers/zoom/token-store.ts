import { wallClock } from '../../clock.js';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { S2SAuthToken, TokenStore } from '@zoom/rivet/meetings';
import { z } from 'zod';
import { ZoomApiError, fromHttpFailure, isNetworkError } from './zoom-errors.js';

/**
 * Server-to-Server OAuth token shared by every process through Redis.
 * https://developers.zoom.us/docs/internal-apps/s2s-oauth/ — tokens live 1 h, there is no refresh token, and
 * several tokens can be valid at once, so a fresh fetch never breaks other holders.
 *
 * Rivet hard-codes https://zoom.us/oauth/token and refetches by itself once `getLatestToken()` returns a token
 * with 60 s or less left. This store always answers with a token that rivet considers fresh, so rivet's own
 * fetch never runs and the OAuth URL stays configurable (the simulator, or a proxy).
 */
export interface ZoomTokenStoreOptions {
  redis: Redis;
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** Origin of the OAuth server, e.g. https://zoom.us; `/oauth/token` is appended. */
  oauthUrl: string;
  keyPrefix?: string;
  now?: () => number;
  /** Refresh once this much lifetime or less remains. */
  refreshBeforeExpiryMs?: number;
  lockTtlMs?: number;
  waitTimeoutMs?: number;
  pollIntervalMs?: number;
  fetchTimeoutMs?: number;
}

export interface ZoomTokenStore extends TokenStore<S2SAuthToken> {
  getLatestToken(): Promise<S2SAuthToken>;
  storeToken(token: S2SAuthToken): Promise<void>;
  getAccessToken(): Promise<string>;
  /** Drops the cached token after Zoom answered 401 code 124, unless another process already replaced it. */
  invalidate(rejectedAccessToken?: string): Promise<void>;
}

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
  scope: z.string(),
  api_url: z.string().optional(),
});

const OAuthErrorSchema = z
  .object({
    code: z.number().optional(),
    message: z.string().optional(),
    reason: z.string().optional(),
    error: z.string().optional(),
  })
  .catch({});

// Delete the token or the lock only if it is still the one we mean: another process may have replaced it.
const DELETE_TOKEN_IF_MATCHES = `
if redis.call('HGET', KEYS[1], 'accessToken') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface CachedToken {
  accessToken: string;
  expiresAtMs: number;
  scopes: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createZoomTokenStore(options: ZoomTokenStoreOptions): ZoomTokenStore {
  const {
    redis,
    accountId,
    clientId,
    clientSecret,
    keyPrefix = 'ao',
    now = () => wallClock.now().getTime(),
    // Rivet truncates to whole seconds and refetches at <= 60 s; 5 s of slack keeps it from ever doing so.
    refreshBeforeExpiryMs = 65_000,
    lockTtlMs = 10_000,
    waitTimeoutMs = 15_000,
    pollIntervalMs = 50,
    fetchTimeoutMs = 10_000,
  } = options;
  const tokenUrl = `${options.oauthUrl.replace(/\/+$/, '')}/oauth/token`;
  const tokenKey = `${keyPrefix}:zoom:token:${accountId}:${clientId}`;
  const lockKey = `${tokenKey}:lock`;
  let inFlight: Promise<CachedToken> | undefined;

  const isFresh = (token: CachedToken | undefined): token is CachedToken =>
    token !== undefined && token.expiresAtMs - now() > refreshBeforeExpiryMs;

  async function readCached(): Promise<CachedToken | undefined> {
    const hash = await redis.hgetall(tokenKey);
    if (!hash.accessToken || !hash.expiresAtMs) return undefined;
    return { accessToken: hash.accessToken, expiresAtMs: Number(hash.expiresAtMs), scopes: (hash.scopes ?? '').split(' ').filter(Boolean) };
  }

  async function writeCached(token: CachedToken): Promise<void> {
    const ttl = token.expiresAtMs - now();
    if (ttl <= 0) return;
    await redis
      .multi()
      .del(tokenKey)
      .hset(tokenKey, { accessToken: token.accessToken, expiresAtMs: String(token.expiresAtMs), scopes: token.scopes.join(' ') })
      .pexpire(tokenKey, ttl)
      .exec();
  }

  async function fetchToken(): Promise<CachedToken> {
    const startedAt = now();
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        // Zoom rejects these as query parameters (devforum t/124925); they go in the form body.
        body: new URLSearchParams({ grant_type: 'account_credentials', account_id: accountId }).toString(),
        signal: AbortSignal.timeout(fetchTimeoutMs),
      });
    } catch (error) {
      throw new ZoomApiError({
        status: 0,
        message: `Zoom token request failed: ${error instanceof Error ? error.message : String(error)}`,
        permanent: !isNetworkError(error),
        cause: error,
      });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const err = OAuthErrorSchema.parse(body ?? {});
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const message = `Zoom token request rejected: ${err.reason ?? err.message ?? err.error ?? response.statusText}`;
      throw fromHttpFailure(
        { status: response.status, message, headers, ...(err.code === undefined ? {} : { code: err.code }) },
        now(),
      );
    }
    const parsed = TokenResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw new ZoomApiError({ status: response.status, message: `Zoom token reply has an unexpected shape: ${parsed.error.message}`, permanent: true });
    }
    return {
      accessToken: parsed.data.access_token,
      // Count from when we asked, not when we heard back, so latency never extends the token's life.
      expiresAtMs: startedAt + parsed.data.expires_in * 1000,
      scopes: parsed.data.scope.split(' ').filter(Boolean),
    };
  }

  async function refreshAcrossProcesses(): Promise<CachedToken> {
    const deadline = now() + waitTimeoutMs;
    for (;;) {
      const cached = await readCached();
      if (isFresh(cached)) return cached;
      const owner = randomUUID();
      if ((await redis.set(lockKey, owner, 'PX', lockTtlMs, 'NX')) === 'OK') {
        try {
          const again = await readCached();
          if (isFresh(again)) return again;
          const token = await fetchToken();
          await writeCached(token);
          return token;
        } finally {
          await redis.eval(RELEASE_LOCK, 1, lockKey, owner).catch(() => undefined);
        }
      }
      if (now() >= deadline) {
        throw new ZoomApiError({ status: 0, message: 'timed out waiting for another process to refresh the Zoom token', permanent: false });
      }
      await sleep(pollIntervalMs);
    }
  }

  async function current(): Promise<CachedToken> {
    const cached = await readCached();
    if (isFresh(cached)) return cached;
    // One refresh per process at a time; the Redis lock makes it one per account across processes.
    inFlight ??= refreshAcrossProcesses().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  const toRivet = (token: CachedToken): S2SAuthToken => ({
    accessToken: token.accessToken,
    expirationTimeIso: new Date(token.expiresAtMs).toISOString(),
    scopes: token.scopes,
  });

  return {
    async getLatestToken() {
      return toRivet(await current());
    },
    async storeToken(token) {
      // Only reached if rivet fetched a token itself; keep it so other processes can use it too.
      const expiresAtMs = Date.parse(token.expirationTimeIso);
      if (Number.isFinite(expiresAtMs)) await writeCached({ accessToken: token.accessToken, expiresAtMs, scopes: token.scopes });
    },
    async getAccessToken() {
      return (await current()).accessToken;
    },
    async invalidate(rejectedAccessToken) {
      if (rejectedAccessToken === undefined) {
        await redis.del(tokenKey);
        return;
      }
      await redis.eval(DELETE_TOKEN_IF_MATCHES, 1, tokenKey, rejectedAccessToken);
    },
  };
}
