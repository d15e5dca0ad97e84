// How the `msrp-relay` commands read an option: the command line first, then the
// environment (MSRP_RELAY_<NAME>), then the JSON config file (--config).
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A usage error, for exit code 2. */
export class UsageError extends Error {}

/** `MSRP_RELAY_MAX_CHUNK_SIZE` for `max-chunk-size`. */
export function envName(name: string): string {
  return `MSRP_RELAY_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** The value of each option, wherever it came from. */
export interface OptionReader {
  /** The last value given, if any. */
  readonly one: (name: string) => string | undefined;
  /** Every value given (a repeatable option). */
  readonly many: (name: string) => string[];
  /** A whole number. @throws {UsageError} for anything else. */
  readonly int: (name: string) => number | undefined;
  /** A switch: the flag, or `true`/`1`/`yes` (`false`/`0`/`no`) in the environment or file. */
  readonly flag: (name: string) => boolean;
  /**
   * Where the option's value comes from, as the operator wrote it: `--name`, `MSRP_RELAY_NAME`
   * or `"name" in FILE`; `--name` when it is not given.
   */
  readonly source: (name: string) => string;
  /** Arguments that are not options. */
  readonly positionals: readonly string[];
  /** Whether --help was given. */
  readonly help: boolean;
}

/**
 * Reads `args` against `options` (which must include `help` and `config`), falling back to
 * the environment and to the config file named by --config or MSRP_RELAY_CONFIG.
 * @param fileKeys The keys a config file may hold (a file shared by several commands may
 * hold keys another command reads). Default: the keys of `options`.
 * @throws {UsageError} naming the option at fault.
 */
export function readOptions(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string,
  options: ParseArgsOptionsConfig,
  config: { positionals?: boolean; fileKeys?: readonly string[] } = {},
): OptionReader {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: config.positionals ?? false,
    });
  } catch (e) {
    // Its first line; for a value that starts with a dash (`--max-pending -1`), also the one
    // saying how to give one, where "argument is ambiguous" alone left the operator guessing.
    const lines = (e as Error).message.split('\n');
    throw new UsageError(
      / is ambiguous\.$/.test(lines[0]!) ? `${lines[0]!} ${lines.at(-1)!}` : lines[0],
    );
  }
  const values = parsed.values;
  const configPath = (values.config as string | undefined) ?? env[envName('config')];
  const fileKeys = config.fileKeys ?? Object.keys(options);
  const file: Record<string, string | string[]> =
    configPath === undefined ? {} : readConfigFile(configPath, readFile, fileKeys, options);
  const pick = (name: string): string | string[] | undefined => {
    const flag = values[name];
    if (typeof flag === 'boolean') return String(flag);
    if (flag !== undefined) return flag as string | string[];
    const fromEnv = env[envName(name)];
    if (fromEnv !== undefined) {
      return options[name]?.multiple ? fromEnv.split(/[\s,]+/).filter((v) => v !== '') : fromEnv;
    }
    return file[name];
  };
  const one = (name: string): string | undefined => {
    const v = pick(name);
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  return {
    one,
    many: (name) => {
      const v = pick(name);
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
    int: (name) => {
      const v = one(name);
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
        throw new UsageError(`--${name} must be a whole number, not "${v}"`);
      return Number(v);
    },
    flag: (name) => {
      const v = one(name)?.toLowerCase();
      if (v === undefined || ['false', '0', 'no'].includes(v)) return false;
      if (['true', '1', 'yes'].includes(v)) return true;
      throw new UsageError(`--${name} is a switch: true or false, not "${v}"`);
    },
    source: (name) => {
      if (values[name] === undefined && env[envName(name)] !== undefined) return envName(name);
      if (values[name] === undefined && file[name] !== undefined)
        return `"${name}" in ${configPath}`;
      return `--${name}`;
    },
    positionals: parsed.positionals,
    help: values.help === true,
  };
}

function readConfigFile(
  path: string,
  readFile: (path: string) => string,
  keys: readonly string[],
  options: ParseArgsOptionsConfig,
): Record<string, string | string[]> {
  let json: unknown;
  try {
    json = JSON.parse(readFile(path));
  } catch (e) {
    throw new UsageError(`--config: cannot read ${path}: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError(`--config: ${path} must hold a JSON object`);
  const raw: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!keys.includes(key) || key === 'help' || key === 'config')
      throw new UsageError(`--config: unknown option "${key}" in ${path}`);
    // A list where one value goes (its last was taken), or a list of objects or nulls
    // (taken as "[object Object]", "null"): the file's author meant something else.
    if (Array.isArray(value)) {
      // A key of another command's (a shared file) is not checked: it is not read here.
      if (options[key] !== undefined && !options[key].multiple)
        throw new UsageError(`--config: "${key}" takes one value, not a list`);
      if (!value.every(scalar))
        throw new UsageError(`--config: "${key}" must be a list of strings or numbers`);
      raw[key] = value.map(String);
    } else if (typeof value === 'boolean') {
      // Taken as the string: `"host": false` made every Use-Path name the host "false".
      if (options[key] !== undefined && options[key].type !== 'boolean')
        throw new UsageError(`--config: "${key}" must be a string or number, not ${value}`);
      raw[key] = String(value);
    } else if (scalar(value)) raw[key] = String(value);
    else throw new UsageError(`--config: "${key}" must be a string, number, boolean or list`);
  }
  return raw;
}

/** A value for a string option; true and false are a switch's only. */
const scalar = (value: unknown): value is string | number =>
  typeof value === 'string' || typeof value === 'number';
