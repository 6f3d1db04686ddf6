import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

/**
 * The request histogram, observed on every request: prom-client's Histogram children convert, validate
 * and hash their label values on every observe (~0.5 µs, the largest cost of the access hook after the
 * log line). These children are plain counters found once per label set; the metric reads them when it
 * is collected and reports exactly what prom-client's Histogram reports for the same observations (same
 * names, label order, cumulative buckets, +Inf, _sum and _count; test/http/metrics-histogram.test.ts
 * compares the two). Only what the service uses: children by label values, observe, get, reset.
 */
type HistogramValue = { labels: Record<string, string | number>; value: number; metricName: string; exemplar: null | undefined };

export class RequestHistogram<T extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly T[];
  private readonly upperBounds: readonly number[];
  private readonly children = new Map<string, RequestHistogramChild<T>>();

  constructor(config: { name: string; help: string; labelNames: readonly T[]; buckets: readonly number[]; registers: Registry[] }) {
    // prom-client checks the name, labels and buckets; the instance itself is not used.
    new Histogram({ name: config.name, help: config.help, labelNames: [...config.labelNames], buckets: [...config.buckets], registers: [] });
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    this.upperBounds = [...config.buckets];
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values, in labelNames order; callers on hot paths keep it. */
  labels(...values: string[]): RequestHistogramChild<T> {
    if (values.length !== this.labelNames.length) throw new Error(`Invalid number of arguments (${values.length}): "${values.join(', ')}" for label names: "${this.labelNames.join(', ')}".`);
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (!child) {
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]])) as Record<T, string>;
      this.children.set(key, (child = new RequestHistogramChild(labels, this.upperBounds)));
    }
    return child;
  }

  reset(): void {
    this.children.clear();
  }

  /** As prom-client's Histogram.get(): what Registry#metrics() formats. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: HistogramValue[]; aggregator: 'sum' }> {
    const values: HistogramValue[] = [];
    for (const child of this.children.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += child.buckets[i]!;
        values.push({ labels: { le, ...child.labels }, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null });
      });
      values.push({ labels: { le: '+Inf', ...child.labels }, value: child.count, metricName: `${this.name}_bucket`, exemplar: null });
      values.push({ labels: { ...child.labels }, value: child.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: { ...child.labels }, value: child.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class RequestHistogramChild<T extends string> {
  /** Observations per bucket (not cumulative); above the last bound they count only in `count`. */
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<T, string>>,
    private readonly upperBounds: readonly number[],
  ) {
    this.buckets = new Float64Array(upperBounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i += 1) {
      if (value <= bounds[i]!) {
        this.buckets[i]! += 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

/**
 * A Counter whose children (`labels(...)`) count in a plain number that is added to the counter when the
 * counter is read (`get()`, which every scrape runs): prom-client's own children hash and validate their
 * label values on every inc, which the join route would pay on every join.
 */
export class DeferredCounter<T extends string> extends Counter<T> {
  // Not initialised here: prom-client's constructor calls reset() before subclass fields exist.
  private pending: Map<string, { target: Counter.Internal; n: number }> | undefined;

  override labels(...values: string[]): Counter.Internal;
  override labels(labels: Partial<Record<T, string | number>>): Counter.Internal;
  override labels(...args: unknown[]): Counter.Internal {
    const target = (super.labels as (...a: unknown[]) => Counter.Internal)(...args);
    const first = args[0];
    const key = args.length === 1 && typeof first === 'object' && first !== null ? JSON.stringify(Object.entries(first).sort()) : args.join('\u0000');
    this.pending ??= new Map();
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { target, n: 0 }));
    const counted = entry;
    return {
      inc(value?: number) {
        if (value === undefined) counted.n += 1;
        else if (Number.isFinite(value) && value >= 0) counted.n += value;
        else counted.target.inc(value); // prom-client's own error for a negative or non-finite value
      },
    };
  }

  override async get(): ReturnType<Counter<T>['get']> {
    for (const entry of this.pending?.values() ?? []) {
      if (entry.n === 0) continue;
      const n = entry.n;
      entry.n = 0;
      entry.target.inc(n);
    }
    return super.get();
  }

  override reset(): void {
    for (const entry of this.pending?.values() ?? []) entry.n = 0;
    super.reset();
  }
}

/** One registry per process (not prom-client's global) so tests can build several apps side by side. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new RequestHistogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status (its _count is the request count)',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    joins: new DeferredCounter({
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
