import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DeferredCounter, RequestHistogram } from '../../src/http/metrics.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';

/**
 * The request histogram and the join counter count without prom-client's per-call label work; what they
 * report must be exactly what prom-client's own Histogram and Counter report for the same observations.
 */
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const labelNames = ['method', 'route', 'status'] as const;

describe('RequestHistogram', () => {
  const seed = seedFromEnv('METRICS_SEED');
  it(`reports what prom-client's Histogram reports (seed ${seed})`, async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new RequestHistogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames, buckets, registers: [ours] });
    const reference = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: [...labelNames], buckets, registers: [theirs] });
    const r = createPrng(seed);
    const routes = ['/p/:token/join/:sessionId', '/healthz', 'unmatched', '/api/v1/events/:id'];
    // Bounds themselves, zero, values above the last bound, and random ones.
    const values = [0, ...buckets, 5.000001, 12, 1e-9];
    for (let i = 0; i < 5000; i += 1) {
      const labels = [r.pick(['GET', 'POST', 'PUT']), r.pick(routes), r.pick(['200', '302', '404', '503'])] as const;
      const value = i < values.length ? values[i]! : r.bool(0.1) ? r.next() * 10 : r.next() * 0.05;
      fast.labels(...labels).observe(value);
      reference.labels(...labels).observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    fast.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('keeps one child per label set and refuses what prom-client refuses', () => {
    const fast = new RequestHistogram({ name: 'h', help: 'h', labelNames, buckets, registers: [] });
    expect(fast.labels('GET', '/x', '200')).toBe(fast.labels('GET', '/x', '200'));
    expect(() => fast.labels('GET', '/x')).toThrow(/Invalid number of arguments/);
    expect(() => fast.labels('GET', '/x', '200').observe(Number.NaN)).toThrow(/not a valid number/);
    expect(() => new RequestHistogram({ name: 'bad name', help: 'h', labelNames, buckets, registers: [] })).toThrow();
  });
});

describe('DeferredCounter', () => {
  it("reports what prom-client's Counter reports, whenever it is read", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new DeferredCounter({ name: 'participant_joins_total', help: 'joins', labelNames: ['provider', 'outcome'], registers: [ours] });
    const reference = new Counter({ name: 'participant_joins_total', help: 'joins', labelNames: ['provider', 'outcome'], registers: [theirs] });
    const r = createPrng(7);
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 200; i += 1) {
        const labels = [r.pick(['bbb', 'zoom', 'none']), r.pick(['redirect', 'too-early', 'ended'])] as const;
        const by = r.bool(0.2) ? r.int(0, 3) : undefined;
        fast.labels(...labels).inc(by);
        reference.labels(...labels).inc(by);
      }
      fast.labels({ provider: 'bbb', outcome: 'redirect' }).inc();
      reference.labels({ provider: 'bbb', outcome: 'redirect' }).inc();
      expect(await ours.metrics()).toBe(await theirs.metrics());
      expect(await fast.get()).toEqual(await reference.get());
    }
    fast.labels('bbb', 'redirect').inc();
    fast.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses what prom-client refuses', () => {
    const fast = new DeferredCounter({ name: 'c', help: 'c', labelNames: ['provider', 'outcome'], registers: [] });
    expect(() => fast.labels('bbb', 'redirect').inc(-1)).toThrow(/not possible to decrease/);
    expect(() => fast.labels('bbb', 'redirect').inc(Number.POSITIVE_INFINITY)).toThrow(/not a valid number/);
    expect(() => fast.labels('bbb')).toThrow(/Invalid number of arguments/);
  });
});
