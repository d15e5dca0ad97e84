// The deployment files read as systemd and Docker read them, for test/deploy-*.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(ROOT, 'packages/msrp-relay/deploy');
export const UNIT_FILE = join(DEPLOY, 'msrp-relay.service');
/** The relay's bin as a package installed with npm has it, relative to node_modules. */
export const INSTALLED_BIN = '@msrp-ts/msrp-relay/bin/msrp-relay.js';

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
 * this node, the bin the workspace's (built by `tsc -b`), the config file `config`.
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
