import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process (not prom-client's global) so tests can build several apps side by side. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status (its _count is the request count)',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    joins: new Counter({
      name: 'participant_joins_total',
      help: 'Join link requests by provider and outcome (redirect, too-early, ended, denied, pending, unavailable, not-found)',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    providerDuration: new Histogram({
      name: 'provider_request_duration_seconds',
      help: 'Calls to BigBlueButton and Zoom by call and outcome',
      labelNames: ['provider', 'call', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    providerErrors: new Counter({
      name: 'provider_errors_total',
      help: 'Failed calls to BigBlueButton and Zoom by call and kind',
      labelNames: ['provider', 'call', 'kind'] as const,
      registers,
    }),
    zoomRateLimitRemaining: new Gauge({
      name: 'zoom_rate_limit_remaining',
      help: 'X-RateLimit-Remaining last reported by Zoom, by rate-limit category',
      labelNames: ['category'] as const,
      registers,
    }),
    jobLag: new Histogram({
      name: 'job_start_lag_seconds',
      help: 'How long after it was due a job started (queue lag)',
      labelNames: ['job'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    }),
    jobsFinished: new Counter({
      name: 'jobs_finished_total',
      help: 'Jobs by name and result (completed, failed, rate-limited)',
      labelNames: ['job', 'result'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
