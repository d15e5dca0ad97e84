// A real `msrp` (or any node script) process for the CLI benchmarks: its output, waiting for a
// line, its peak RSS sampled from /proc, and a CPU profile with BENCH_PROFILE=DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { profileArgv } from './peer-process.js';

const here = fileURLToPath(import.meta.url);
/** The repository root (this file is in bench/lib/, or bench/dist/lib/ once built). */
export const root = here.slice(0, here.lastIndexOf('/bench/') + 1);
/** The built launchers, as a user runs them. */
export const MSRP_BIN = `${root}packages/msrp-cli/bin/msrp.js`;
export const RELAY_BIN = `${root}packages/msrp-relay/bin/msrp-relay.js`;

/** Peak resident set (VmHWM) of a live process in MiB, or undefined once it is gone. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** A live process's resident set now, in MiB: anonymous and file-backed pages (Linux's /proc). */
export interface ResidentParts {
  rss: number;
  anon: number;
  file: number;
}

/** What a live process's RSS is made of now, or undefined once it is gone. */
export function residentParts(pid: number): ResidentParts | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mib = (key: string): number =>
      Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
    return { rss: mib('VmRSS'), anon: mib('RssAnon'), file: mib('RssFile') };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a live process used so far in ms, or undefined once gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** One spawned process: `node ARGV` unless another `command` is given (e.g. tsx). */
export class NodeProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  /** Resolves with the exit code (null when killed by a signal) once stdout and stderr ended. */
  readonly exited: Promise<number | null>;
  /** Peak RSS in MiB, sampled every 20 ms from /proc while the process lives. */
  peakRss = 0;
  /** The sample with the most RSS: what the peak is made of (anonymous vs file-backed). */
  peakParts: ResidentParts | undefined;
  /** CPU time in ms, sampled every 20 ms from /proc while the process lives (a lower bound). */
  cpuMs = 0;
  readonly started = performance.now();
  #wake: (() => void) | undefined;
  #sampler: NodeJS.Timeout;

  constructor(argv: readonly string[], label: string, command = process.execPath) {
    // Node flags go to node only, not to another command.
    const execArgv = command === process.execPath ? profileArgv(label) : [];
    this.child = spawn(command, [...execArgv, ...argv], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = this.child.pid!;
    this.#sampler = setInterval(() => {
      this.peakRss = Math.max(this.peakRss, peakRssMiB(pid) ?? 0);
      const parts = residentParts(pid);
      if (parts && parts.rss > (this.peakParts?.rss ?? 0)) this.peakParts = parts;
      this.cpuMs = cpuMs(pid) ?? this.cpuMs;
    }, 20);
    this.child.stdout!.setEncoding('utf8').on('data', (t: string) => {
      this.stdout += t;
      this.#wake?.();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (t: string) => {
      this.stderr += t;
      this.#wake?.();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        clearInterval(this.#sampler);
        resolve(code);
        this.#wake?.();
      }),
    );
  }

  /** Whether the process has not exited yet. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until `pattern` matches stdout; throws if the process exits first or after `ms`. */
  async waitFor(pattern: RegExp, ms = 120_000): Promise<RegExpMatchArray> {
    let match: RegExpMatchArray | null = null;
    await this.waitUntil(() => (match = pattern.exec(this.stdout)) !== null, ms, String(pattern));
    return match!;
  }

  /** Waits until `done()` holds, re-checked on output; throws if the process exits first or after `ms`. */
  async waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    let gone = false;
    void this.exited.then(() => (gone = true));
    while (!done()) {
      if (gone || Date.now() > deadline)
        throw new Error(
          `no ${what} from pid ${this.child.pid} (${gone ? 'exited' : 'timeout'}): ${this.stderr.slice(-500)}`,
        );
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  /** Samples the peak RSS once more (it only grows), then stops the process and waits for it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.peakRss = Math.max(this.peakRss, peakRssMiB(this.child.pid!) ?? 0);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/** Starts `msrp ARGS` from the built launcher. */
export function msrp(args: readonly string[], label = args[0] ?? 'msrp'): NodeProcess {
  return new NodeProcess([MSRP_BIN, ...args], `msrp-${label}`);
}
