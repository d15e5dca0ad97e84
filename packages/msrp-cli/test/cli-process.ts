// A spawned `msrp` process for the CLI tests: the built bin, as a user runs it (built once
// by test/global-setup.ts before any test file runs; tsx compiling the sources took 1-2 s of
// CPU a process, and the tests start a score at once): its output so far, waiting for a
// pattern in it, and stopping it when the test ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { onTestFinished } from 'vitest';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const tsx = join(root, 'node_modules/.bin/tsx');
export const entry = 'packages/msrp-cli/src/msrp.ts';
/** The `msrp` bin, run as a user runs it (its shebang's node flags included). */
export const bin = join(root, 'packages/msrp-cli/bin/msrp.js');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One spawned `msrp` process, its output so far, and how it ended. */
export class Cli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  #listeners = new Set<() => void>();

  constructor(args: readonly string[]) {
    this.child = spawn(bin, args, {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      this.#notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
      this.#notify();
    });
    // 'close' comes after the output streams ended, so stdout and stderr are complete.
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        resolve({ code, signal });
        this.#notify();
      }),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until `pattern` matches the stream's output so far. */
  async waitFor(
    stream: 'stdout' | 'stderr',
    pattern: RegExp,
    timeout = 20_000,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const match = pattern.exec(this[stream]);
      if (match) return match;
      if (!this.running || Date.now() > deadline) {
        throw new Error(
          `${stream} never matched ${pattern} (${this.running ? 'timed out' : 'process exited'})\n` +
            `stdout: ${this.stdout}\nstderr: ${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#listeners.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 200);
        this.#listeners.add(wake);
      });
    }
  }

  /** Stops the process: SIGTERM (the CLI closes cleanly), SIGKILL if it lingers. */
  async stop(): Promise<Exit> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  #notify(): void {
    for (const wake of [...this.#listeners]) wake();
  }
}

export type Finished = typeof onTestFinished;

/** Starts `msrp args`; the process is stopped when the test finishes, whatever happens. */
export function start(finished: Finished, args: readonly string[]): Cli {
  const cli = new Cli(args);
  finished(async () => {
    await cli.stop();
  });
  return cli;
}

/** A new directory in the system's temporary one, removed with its contents when the test ends. */
export async function tempDir(finished: Finished, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  finished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The `--json` events a command printed on `stdout`, less its `connected` and `progress` ones. */
export function jsonEvents(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((e) => e.event !== 'progress' && e.event !== 'connected');
}
