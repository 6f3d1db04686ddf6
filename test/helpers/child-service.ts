import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Children still running when the test process ends (a failed assertion, a timeout) are killed with it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The service (`src/server.ts`, any ROLE) or the demo as a real child process, run through tsx exactly as an
 * operator would run it. Every line it writes is appended to `sink` (for the log audit) and to `lines`.
 */
export class ChildService {
  readonly lines: string[] = [];
  readonly exited: Promise<ChildExit>;
  private readonly proc: ChildProcess;
  private exit: ChildExit | undefined;

  constructor(
    readonly entry: 'src/server.ts' | 'demo/run-demo.ts',
    env: Record<string, string>,
    private readonly sink: string[] = [],
  ) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.proc);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        live.delete(this.proc);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.sink.push(chunk);
        partial += chunk;
        const parts = partial.split('\n');
        partial = parts.pop() ?? '';
        this.lines.push(...parts.filter((l) => l.length > 0));
      });
    }
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error('child has no pid');
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves once a log line matches; rejects when the process exits first or the time runs out. */
  async waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs = 20_000, from = 0): Promise<string> {
    const test = typeof match === 'function' ? match : (line: string) => match.test(line);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(test);
      if (found !== undefined) return found;
      if (this.exit) throw new Error(`${this.entry} exited (${JSON.stringify(this.exit)}) before ${String(match)}:\n${this.lines.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${this.entry}: no line ${String(match)} within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  waitUntilStarted(timeoutMs = 20_000): Promise<string> {
    return this.waitForLine(/"msg":"service started"/, timeoutMs);
  }

  /** Sends a signal to this child (by pid) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<ChildExit> {
    if (this.exit) return this.exit;
    this.proc.kill(signal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const outcome = await Promise.race([this.exited, timer]);
    if (outcome === 'timeout') {
      this.proc.kill('SIGKILL');
      await this.exited;
      throw new Error(`${this.entry} did not exit within ${timeoutMs} ms of ${signal}`);
    }
    return outcome;
  }
}
