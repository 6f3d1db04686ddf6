import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitForRedisPort } from './own-redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One redis-server process (data node or sentinel) that this test started, on its own port and directory. */
class Node {
  private child: ChildProcess | undefined;
  readonly conf: string;
  constructor(
    readonly port: number,
    readonly dir: string,
    conf: string[],
    private readonly sentinel: boolean,
  ) {
    this.conf = join(dir, sentinel ? 'sentinel.conf' : 'redis.conf');
    // A config file of its own: sentinels rewrite theirs, and rewrite a data node's when they re-point it.
    writeFileSync(this.conf, `${conf.join('\n')}\n`);
  }

  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', [this.conf, ...(this.sentinel ? ['--sentinel'] : [])], { stdio: 'ignore' });
    await waitForRedisPort(this.port);
  }

  /** By this process's own pid; resolves once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  client(): Redis {
    const redis = new Redis({ port: this.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null, enableReadyCheck: false, lazyConnect: true });
    redis.on('error', () => undefined);
    return redis;
  }
}

export interface SentinelGroupOptions {
  replicas?: number;
  sentinels?: number;
  name?: string;
  /** How long a primary may be silent before sentinels call it down. */
  downAfterMs?: number;
}

/**
 * A real Sentinel group on loopback: a primary with the append-only file, replicas, and sentinels in
 * `redis-server --sentinel` mode, each a process of this test in a temporary directory, stopped by pid.
 * Every data node has `min-replicas-to-write 1`, so a primary that comes back alone refuses writes.
 */
export class SentinelGroup {
  private constructor(
    readonly name: string,
    readonly data: Node[],
    readonly sentinels: Node[],
    private readonly root: string,
  ) {}

  static async start(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
    const name = options.name ?? 'mymaster';
    const root = mkdtempSync(join(tmpdir(), 'ao-sentinel-'));
    const dataPorts = await Promise.all(Array.from({ length: 1 + (options.replicas ?? 2) }, () => freePort()));
    const primaryPort = dataPorts[0]!;
    const data = dataPorts.map((port, i) => {
      const dir = mkdtempSync(join(root, `data-${i}-`));
      return new Node(
        port,
        dir,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          'appendonly yes',
          'appendfsync everysec',
          'save ""',
          'min-replicas-to-write 1',
          'min-replicas-max-lag 10',
          'repl-diskless-sync yes',
          'repl-diskless-sync-delay 0',
          'logfile redis.log',
          ...(i === 0 ? [] : [`replicaof 127.0.0.1 ${primaryPort}`]),
        ],
        false,
      );
    });
    const sentinelPorts = await Promise.all(Array.from({ length: options.sentinels ?? 3 }, () => freePort()));
    const quorum = Math.floor(sentinelPorts.length / 2) + 1;
    const sentinels = sentinelPorts.map((port, i) => {
      const dir = mkdtempSync(join(root, `sentinel-${i}-`));
      return new Node(
        port,
        dir,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          'logfile sentinel.log',
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} ${quorum}`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          // Also the pause before the same group can fail over again (twice this): kept short for a second failover.
          `sentinel failover-timeout ${name} 3000`,
          `sentinel parallel-syncs ${name} 2`,
        ],
        true,
      );
    });
    const group = new SentinelGroup(name, data, sentinels, root);
    try {
      for (const node of data) await node.start();
      await group.waitForReplicas(data.length - 1);
      for (const node of sentinels) await node.start();
      await group.waitForSentinelsToAgree(primaryPort);
    } catch (error) {
      await group.destroy();
      throw error;
    }
    return group;
  }

  /** REDIS_SENTINELS for the service. */
  get sentinelList(): string {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** The primary's port as the first answering sentinel sees it. */
  async primaryPort(): Promise<number> {
    for (const sentinel of this.sentinels) {
      const client = sentinel.client();
      try {
        await client.connect();
        const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', this.name)) as [string, string];
        return Number(port);
      } catch {
        // the next sentinel
      } finally {
        client.disconnect();
      }
    }
    throw new Error('no sentinel answered');
  }

  node(port: number): Node {
    const node = this.data.find((n) => n.port === port);
    if (!node) throw new Error(`no data node on ${port}`);
    return node;
  }

  /** SIGKILLs the current primary (a process this test started, by its pid); returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    await this.node(port).stop('SIGKILL');
    return port;
  }

  /** Resolves with the new primary's port once every sentinel names one other than `oldPort`. */
  async waitForPromotion(oldPort: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const seen = new Set<number>();
      for (const sentinel of this.sentinels) {
        const client = sentinel.client();
        try {
          await client.connect();
          const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', this.name)) as [string, string];
          seen.add(Number(port));
        } catch {
          seen.add(-1);
        } finally {
          client.disconnect();
        }
      }
      const [only] = [...seen];
      if (seen.size === 1 && only !== undefined && only !== oldPort && only > 0) return only;
      await sleep(100);
    }
    throw new Error(`no replica promoted within ${timeoutMs} ms`);
  }

  /** The data node on `port` is up again on its own directory (it comes back believing it is a primary). */
  async restart(port: number): Promise<void> {
    await this.node(port).start();
  }

  /** Resolves once the current primary has `count` replicas with a live link and no replication lag. */
  async waitForReplicas(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const port = this.sentinels.some((s) => s.pid !== undefined) ? await this.primaryPort().catch(() => this.data[0]!.port) : this.data[0]!.port;
      const client = this.node(port).client();
      try {
        await client.connect();
        const info = await client.info('replication');
        const online = [...info.matchAll(/^slave\d+:.*state=online.*$/gm)].length;
        if (/role:master/.test(info) && online >= count) return;
      } catch {
        // not up yet
      } finally {
        client.disconnect();
      }
      await sleep(100);
    }
    throw new Error(`the primary did not get ${count} replicas within ${timeoutMs} ms`);
  }

  private async waitForSentinelsToAgree(primaryPort: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      let ready = 0;
      for (const sentinel of this.sentinels) {
        const client = sentinel.client();
        try {
          await client.connect();
          const master = (await client.call('SENTINEL', 'master', this.name)) as string[];
          const field = (k: string) => master[master.indexOf(k) + 1];
          // Every sentinel knows the primary, the replicas and the other sentinels: a failover can be elected.
          if (Number(field('port')) === primaryPort && Number(field('num-slaves')) >= this.data.length - 1 && Number(field('num-other-sentinels')) >= this.sentinels.length - 1) ready += 1;
        } catch {
          // not yet
        } finally {
          client.disconnect();
        }
      }
      if (ready === this.sentinels.length) return;
      await sleep(100);
    }
    throw new Error('the sentinels did not discover each other and the replicas in time');
  }

  /** Every process stopped by its pid, then the directories removed. */
  async destroy(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.data].map((n) => n.stop('SIGKILL')));
    rmSync(this.root, { recursive: true, force: true });
  }
}
