// The MSRP_RELAY_* variables of the environment that name no option: a misspelt one
// (MSRP_RELAY_RELM) was ignored without a word, and the relay ran with the default.
import { envName } from './option-reader.js';

/** An environment variable of ours that no option reads, and the one likely meant. */
export interface UnknownEnvName {
  readonly variable: string;
  readonly suggestion?: string;
}

const PREFIX = 'MSRP_RELAY_';

/**
 * The variables of `env` that start with MSRP_RELAY_ (in any case) but are not the
 * variable of one of `options`, each with the closest such variable when it is a small edit
 * away (a letter or two, or the case).
 */
export function unknownEnvNames(
  env: NodeJS.ProcessEnv,
  options: readonly string[],
): UnknownEnvName[] {
  const known = options.map(envName);
  const unknown: UnknownEnvName[] = [];
  for (const variable of Object.keys(env)) {
    if (!variable.toUpperCase().startsWith(PREFIX) || known.includes(variable)) continue;
    const wanted = variable.toUpperCase().replace(/-/g, '_');
    let best: { name: string; distance: number } | undefined;
    for (const name of known) {
      const distance = editDistance(wanted, name);
      if (distance < (best?.distance ?? Infinity)) best = { name, distance };
    }
    // Beyond that, a guess would mislead more than help (USERS_DB_URL is not USERS).
    const close = best !== undefined && best.distance <= 2;
    unknown.push(close ? { variable, suggestion: best!.name } : { variable });
  }
  return unknown;
}

/** How a command tells of `unknown` on stderr, the variable likely meant included. */
export function unknownEnvLine({ variable, suggestion }: UnknownEnvName): string {
  const meant = suggestion ? ` (did you mean ${suggestion}?)` : '';
  return `${variable} names no option, ignored${meant}`;
}

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + cost);
    }
    row = next;
  }
  return row[b.length]!;
}
