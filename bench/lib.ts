import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../config/env.js';
import { buildApp } from '../src/app.js';
import { createApi, type ApiParts } from '../src/composition/api.js';
import { createCore, type Core } from '../src/composition/core.js';
import { createLogger } from '../src/logger.js';
import { deleteMatching } from '../src/store/redis.js';

export interface ServerProcess {
  url: string;
  /** CPU time the process has used so far (user + system, all threads), in µs; NaN where /proc is missing. */
  cpuMicros(): number;
  stop(): Promise<void>;
}

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

function cpuMicrosOf(pid: number | undefined): number {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

let compiled: Promise<void> | undefined;

/**
 * Servers run from tsc output, as `npm start` runs the service: tsx's on-the-fly transform names every
 * function it creates at run time (esbuild's keepNames), a per-call cost production never pays.
 */
function compileServers(): Promise<void> {
  compiled ??= new Promise<void>((resolve, reject) => {
    const tsc = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
    tsc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tsc -p tsconfig.bench.json exited with ${code}`))));
  });
  return compiled;
}

/** Node flags of `npm start` and the Dockerfile's CMD, so bench servers run as the service does. */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=32'];

/** Starts a bench server (bench/servers/*.ts, compiled) in its own process so load generator and server do not share a thread. */
export async function startServerProcess(script: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  await compileServers();
  const child: ChildProcess = spawn(process.execPath, [...SERVICE_NODE_FLAGS, `dist-bench/${script.replace(/\.ts$/, '.js')}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    url,
    cpuMicros: () => cpuMicrosOf(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  rps: number;
  p50: number;
  /** ms; taken from every response's own time (autocannon's histogram rounds to whole milliseconds). */
  p99: number;
  non3xx: number;
  errors: number;
}

export async function load(url: string, seconds: number, connections = 100): Promise<LoadResult> {
  // Response times as autocannon measures them (hrtime, fractions of a millisecond), kept for exact
  // percentiles: at a p99 of ~10 ms, whole milliseconds would move a ratio by 10 % per step.
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, pipelining: 1 }, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
  const sorted = Float64Array.from(times).sort();
  const at = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
  return {
    rps: result.requests.average,
    p50: at(50),
    p99: at(99),
    non3xx: result.non2xx - result['3xx'],
    errors: result.errors + result.timeouts,
  };
}

/**
 * Load at a fixed rate (requests per second over all connections) instead of as fast as the server goes:
 * several servers loaded like this at the same time share whatever the machine gives at that moment.
 */
export async function loadAtRate(url: string, seconds: number, rate: number, connections = 20): Promise<{ requests: number; non3xx: number; errors: number }> {
  const result = await autocannon({ url, connections, duration: seconds, overallRate: rate, pipelining: 1 });
  return { requests: result.requests.total, non3xx: result.non2xx - result['3xx'], errors: result.errors + result.timeouts };
}

export function ratio(value: number, baseline: number): string {
  return (value / baseline).toFixed(2);
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * A one-day academy programme whose session is open now (UTC), so joins redirect instead of answering
 * "too early"; the session is cut at 23:59 UTC, as a programme day cannot cross midnight.
 */
export function openProgramme(id: string, now = new Date()): Record<string, unknown> {
  const date = now.toISOString().slice(0, 10);
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  const end = new Date(Math.min(now.getTime() + 3600_000, Date.parse(`${date}T23:59:00Z`)));
  const start = hhmm(now) < hhmm(end) ? hhmm(now) : '00:00';
  return {
    id,
    title: 'Benchmark',
    timezone: 'UTC',
    joinOpensMinutesBefore: 240,
    days: [{ date, kind: 'academy', title: 'Bench day', sessions: [{ id: 's1', title: 'Session', start, end: hhmm(end) > start ? hhmm(end) : '23:59' }] }],
  };
}

export const BENCH_ORGANIZER_TOKEN = 'bench-organizer-token-0123456789';
export const benchAuth = { authorization: `Bearer ${BENCH_ORGANIZER_TOKEN}` };

/** Deletes every key under a bench's own prefix, so runs leave nothing behind in the shared Redis. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  await deleteMatching(redis, `${prefix}:*`);
}

export interface InProcessApp {
  app: FastifyInstance;
  core: Core;
  api: ApiParts;
  prefix: string;
  /** Deletes the run's keys, then closes app and connections. */
  close(): Promise<void>;
}

/** The real app and composition root on the shared Redis under a key prefix of its own; logs at info to /dev/null. */
export async function startInProcessApp(label: string, env: Record<string, string> = {}): Promise<InProcessApp> {
  const config = loadConfig({
    ORGANIZER_TOKENS: BENCH_ORGANIZER_TOKEN,
    LINK_SIGNING_KEYS: 'bench:bench-signing-secret-0123456789abcdef',
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const logger = createLogger(config.logLevel, pino.destination({ dest: '/dev/null', sync: false }));
  const prefix = `bench:${label}:${process.pid}:${Date.now().toString(36)}`;
  const core = await createCore(config, logger, { keyPrefix: prefix });
  const api = createApi(core);
  const app = await buildApp(api.app);
  await app.ready();
  return {
    app,
    core,
    api,
    prefix,
    async close() {
      await app.close();
      await deletePrefix(core.redis, prefix).catch(() => undefined);
      await api.close();
      await core.close();
    },
  };
}
