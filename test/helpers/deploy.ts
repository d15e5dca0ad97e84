// The deployment files read as systemd and Docker read them, for test/deploy-*.test.ts.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(ROOT, 'packages/msrp-relay/deploy');
export const UNIT_FILE = join(DEPLOY, 'msrp-relay.service');
/** The relay's bin as a package installed with npm has it, relative to node_modules. */
export const INSTALLED_BIN = '@msrp-ts/msrp-relay/bin/msrp-relay.js';

/** The node flags the bin's shebang starts it with; a unit or image running node itself repeats them. */
export function binNodeFlags(): string[] {
  const shebang = readFileSync(join(ROOT, 'packages/msrp-relay/bin/msrp-relay.js'), 'utf8').split(
    '\n',
  )[0]!;
  return shebang.split(/\s+/).filter((word) => word.startsWith('--'));
}

/** A unit file's settings: section → key → values in order (a key may repeat). */
export type Unit = Map<string, Map<string, string[]>>;

/** Parses a systemd unit file (comments, sections, `KEY=value` lines; no continuations). */
export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1]!) ?? new Map<string, string[]>();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 0) throw new Error(`unit line outside a section or without =: ${line}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

/** The last value of `key` in `[Service]` (what systemd uses for single-valued keys). */
export function serviceSetting(unit: Unit, key: string): string | undefined {
  return unit.get('Service')?.get(key)?.at(-1);
}

/** The shipped unit, parsed. */
export function readUnit(): Unit {
  return parseUnit(readFileSync(UNIT_FILE, 'utf8'));
}

/** Seconds in a systemd time span such as `30s`, `1min 30s` or `90`. */
export function seconds(span: string): number {
  const units: Record<string, number> = { '': 1, s: 1, sec: 1, m: 60, min: 60, h: 3600 };
  let total = 0;
  for (const m of span.matchAll(/(\d+)\s*([a-z]*)/g)) {
    const factor = units[m[2]!];
    if (factor === undefined) throw new Error(`unknown time unit in "${span}"`);
    total += Number(m[1]) * factor;
  }
  return total;
}

/**
 * ExecStart= split into words, with the machine's paths in place of the installed ones: node is
 * this node, the bin the workspace's (built by `pnpm build`), the config file `config`.
 */
export function localExecStart(unit: Unit, config: string): string[] {
  const words = serviceSetting(unit, 'ExecStart')!.split(/\s+/);
  return words.map((word, i) => {
    if (i === 0) return process.execPath;
    if (word.endsWith(`/node_modules/${INSTALLED_BIN}`))
      return join(ROOT, 'packages/msrp-relay/bin/msrp-relay.js');
    if (words[i - 1] === '--config') return config;
    return word;
  });
}

/** One Dockerfile instruction: `COPY --from=app /app /app` is COPY, its flags and its words. */
export interface Instruction {
  readonly keyword: string;
  /** `--from=app` → from: app. */
  readonly flags: Readonly<Record<string, string>>;
  /** The arguments after the flags: the JSON array of the exec form, or the text itself. */
  readonly args: readonly string[];
  /** The arguments as written (for RUN in shell form: the command). */
  readonly text: string;
}

/** A build stage: FROM's image and name, then its instructions. */
export interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Parses a Dockerfile into stages (comments, `\` continuations, exec and shell forms). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    let rest = m[2]!.trim();
    const flags: Record<string, string> = {};
    for (let f = /^--([\w-]+)=(\S+)\s*/.exec(rest); f; f = /^--([\w-]+)=(\S+)\s*/.exec(rest)) {
      flags[f[1]!] = f[2]!;
      rest = rest.slice(f[0].length);
    }
    // HEALTHCHECK's own options come before CMD.
    if (keyword === 'HEALTHCHECK') rest = rest.replace(/^CMD\s+/, '');
    const args = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
    const instruction: Instruction = { keyword, flags, args, text: rest };
    if (keyword === 'FROM') {
      const as = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      stages.push({ image: as[1]!, ...(as[2] && { name: as[2] }), instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${keyword} before FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** A started command: its stdout lines as they come, its stderr so far, its exit. */
export interface Started {
  readonly child: ChildProcess;
  /** The next line of stdout; fails after `timeout` ms or when the process ends first. */
  readonly line: (timeout?: number) => Promise<string>;
  readonly stderr: () => string;
  /** The exit code (null after a signal), once it exited. */
  readonly exited: Promise<number | null>;
}

/** Starts `command`; `cleanup` receives what ends it (SIGKILL) if the test did not. */
export function start(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
  cleanup: (stop: () => unknown) => void,
): Started {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  cleanup(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const line = async (timeout = 20_000): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no output in ${timeout} ms: ${err}`)), timeout);
      }),
    ]).finally(() => clearTimeout(timer));
    if (next.done) throw new Error(`${command} ended: ${err}`);
    return next.value;
  };
  return { child, line, stderr: () => err, exited };
}
