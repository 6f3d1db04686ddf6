import { wallClock } from '../clock.js';
import { createZoomClient, type ZoomClient } from '../providers/zoom/zoom-client.js';
import type { Core } from './core.js';

/**
 * The process's Zoom client from the configuration, its calls counted in the provider metrics. Undefined
 * without Zoom credentials. Each role that calls Zoom (the worker; the API for host links) makes its own.
 */
export function zoomClientFor(core: Pick<Core, 'config' | 'redis' | 'keys' | 'metrics'>): ZoomClient | undefined {
  const { config, redis, keys, metrics } = core;
  if (!config.zoom) return undefined;
  return createZoomClient({
    accountId: config.zoom.accountId,
    clientId: config.zoom.clientId,
    clientSecret: config.zoom.clientSecret,
    apiUrl: config.zoom.apiUrl,
    oauthUrl: config.zoom.oauthUrl,
    redis,
    keyPrefix: keys.key('zoom-token'),
    // Token lifetimes and rate-limit resets are Zoom's, on real time: the wall clock, not an injected one.
    now: () => wallClock.now().getTime(),
    observe: ({ status, durationMs, rateLimitRemaining, rateLimitCategory }) => {
      const outcome = status >= 200 && status < 300 ? 'ok' : status === 429 ? 'rate-limited' : status === 0 ? 'unavailable' : 'failed';
      metrics.providerDuration.observe({ provider: 'zoom', call: 'api', outcome }, durationMs / 1000);
      if (outcome !== 'ok') metrics.providerErrors.inc({ provider: 'zoom', call: 'api', kind: outcome });
      if (rateLimitRemaining !== undefined) metrics.zoomRateLimitRemaining.set({ category: rateLimitCategory ?? 'unknown' }, rateLimitRemaining);
    },
  });
}
