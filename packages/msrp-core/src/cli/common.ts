// Shared pieces of the `msrp` command: exit codes, errors, option parsing and output.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  DeliveryError,
  MsrpError,
  normalizeFingerprint,
  parseUri,
  type MsrpUri,
  type RelayAccount,
  type TlsClientOptions,
  type TlsServerOptions,
} from '../index.js';

/** Exit codes of every `msrp` command. */
export const EXIT = {
  ok: 0,
  /** The peer refused the message or the session (4xx), or a transfer failed. */
  failed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** The connection could not be opened (refused, TLS, fingerprint) or was lost. */
  connection: 3,
  /** No response within --timeout. */
  timeout: 4,
  /** Interrupted by SIGINT/SIGTERM before the work was done. */
  interrupted: 130,
} as const;

/** The exit codes as --help lists them. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success (send: every chunk confirmed, and the success REPORT when asked for:
       with --report, and by default through relays; with --relay --no-report the
       summary says "accepted by the relay")
  1    delivery refused or failed (e.g. 413, 415, 481 from the peer)
  2    usage error (unknown flag, bad URI, unreadable file)
  3    connection failed or lost (nothing listening, TLS or fingerprint mismatch)
  4    timeout (no response, or no success REPORT, in time)
  130  interrupted (SIGINT/SIGTERM) before the work was done`;

/** A failure with the exit code it ends the command with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** Parses flags strictly; unknown flags and stray arguments are usage errors. */
export function parseFlags<const T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    // parseArgs explains itself ("Unknown option '--x'..."); keep its first sentence.
    const text = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
    throw usage(text);
  }
}

/** Parses an MSRP URI given on the command line. */
export function uriFlag(flag: string, text: string | undefined): MsrpUri {
  if (text === undefined) throw usage(`${flag} is required`);
  try {
    return parseUri(text);
  } catch (e) {
    throw usage(`${flag}: ${(e as Error).message}`);
  }
}

/**
 * A path given on the command line: one URI, or several separated by spaces (a peer behind
 * relays, as `msrp listen --relay` prints it).
 */
export function pathFlag(flag: string, text: string | undefined): MsrpUri[] {
  if (text === undefined) throw usage(`${flag} is required`);
  const parts = text.trim().split(/\s+/);
  return parts.map((part) => uriFlag(flag, part));
}

/** The relay flags shared by send, listen and chat. */
export const RELAY_FLAGS = {
  relay: { type: 'string', multiple: true },
  user: { type: 'string' },
  password: { type: 'string' },
} as const;

/** What --help says about the relay flags. */
export const RELAY_HELP = `  --relay URI       go through this MSRP relay (RFC 4976), e.g. 'msrp://relay:2855;tcp';
                    repeat for a chain, the one to connect to first
  --user NAME       user name for the relays' Digest authentication
  --password PW     password for the relays (or MSRP_PASSWORD in the environment)`;

/** Relay accounts from --relay, --user and --password, or undefined without --relay. */
export function relayFlags(values: {
  relay?: string[] | undefined;
  user?: string | undefined;
  password?: string | undefined;
}): RelayAccount[] | undefined {
  if (values.relay === undefined || values.relay.length === 0) {
    if (values.user !== undefined || values.password !== undefined)
      throw usage('--user and --password go with --relay');
    return undefined;
  }
  const password = values.password ?? process.env.MSRP_PASSWORD;
  if (values.user === undefined || password === undefined)
    throw usage('--relay needs --user and --password (or MSRP_PASSWORD)');
  return values.relay.map((text) => {
    const uri = uriFlag('--relay', text);
    if (uri.sessionId !== undefined) throw usage(`--relay: ${text} has a session-id`);
    return { uri, username: values.user!, password };
  });
}

const SIZE = /^(\d+)\s*(k|ki|kib|m|mi|mib|g|gi|gib)?b?$/i;
const UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A byte count: `1000`, `64k`, `5M`, `1GiB` (binary multiples). */
export function sizeFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = SIZE.exec(text.trim());
  const n = m ? Number(m[1]) * (m[2] ? UNITS[m[2][0]!.toLowerCase()]! : 1) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw usage(`${flag} must be a positive number of bytes (e.g. 4096, 64k, 5M), not "${text}"`);
  }
  return n;
}

/** A positive integer number of milliseconds. */
export function msFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw usage(`${flag} must be a positive number of milliseconds, not "${text}"`);
  }
  return n;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw usage(
      `${flag}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** TLS client options from --fingerprint and --ca, or undefined when neither is given. */
export function tlsClientFlags(values: {
  fingerprint?: string | undefined;
  ca?: string | undefined;
}): TlsClientOptions | undefined {
  const tls: { fingerprint?: string; ca?: Buffer } = {};
  if (values.fingerprint !== undefined) {
    try {
      tls.fingerprint = normalizeFingerprint(values.fingerprint);
    } catch (e) {
      throw usage(`--fingerprint: ${(e as Error).message}`);
    }
  }
  if (values.ca !== undefined) tls.ca = readPem('--ca', values.ca);
  return tls.fingerprint === undefined && tls.ca === undefined ? undefined : tls;
}

/** TLS server options from --tls-cert and --tls-key (both or neither). */
export function tlsServerFlags(values: {
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
}): TlsServerOptions | undefined {
  const certPath = values['tls-cert'];
  const keyPath = values['tls-key'];
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    throw usage('--tls-cert and --tls-key go together');
  }
  return { cert: readPem('--tls-cert', certPath), key: readPem('--tls-key', keyPath) };
}

/**
 * Turns an error of the library into a one-line message and an exit code.
 * @param action What was being done, for the message: "cannot connect to msrp://...".
 */
export function classify(error: unknown, action: 'connect' | 'deliver', target: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof DeliveryError) {
    const confirmed = {
      status: error.status,
      confirmedBytes: error.confirmedBytes,
      code: error.code,
    };
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    let detail = cause.replace(/^Peer answered /, '');
    if (error.status !== undefined && !detail.startsWith(String(error.status))) {
      detail = `${error.status} ${detail}`;
    }
    const suffix = ` (${error.confirmedBytes} bytes confirmed)`;
    switch (error.code) {
      case 'MSRP_ERR_TIMEOUT':
        return new CliError(`delivery timed out: ${detail}${suffix}`, EXIT.timeout, confirmed);
      case 'MSRP_ERR_REPORT_TIMEOUT':
        return new CliError(
          `no success REPORT in time: ${detail}${suffix}`,
          EXIT.timeout,
          confirmed,
        );
      case 'MSRP_ERR_ABORTED':
        return new CliError(`delivery interrupted${suffix}`, EXIT.interrupted, confirmed);
      case 'MSRP_ERR_CONNECTION':
      case 'MSRP_ERR_SESSION':
        return new CliError(`connection lost: ${detail}${suffix}`, EXIT.connection, confirmed);
      default:
        return new CliError(`delivery failed: ${detail}${suffix}`, EXIT.failed, confirmed);
    }
  }
  if (error instanceof MsrpError) {
    const details = { status: error.status, code: error.code };
    const prefix = action === 'connect' ? `cannot connect to ${target}: ` : 'delivery failed: ';
    switch (error.code) {
      case 'MSRP_ERR_CONNECTION':
      case 'MSRP_ERR_FINGERPRINT': {
        // The dialer says "Cannot connect to host:port: why"; the prefix already says the first part.
        const why = error.message.replace(/^Cannot connect to .*?:\d+: /, '');
        return new CliError(`${prefix}${why}`, EXIT.connection, details);
      }
      case 'MSRP_ERR_TIMEOUT':
        return new CliError(`${prefix}${error.message}`, EXIT.timeout, details);
      case 'MSRP_ERR_INVALID_ARGUMENT':
      case 'MSRP_ERR_BAD_URI':
        return new CliError(error.message, EXIT.usage, details);
      default:
        return new CliError(`${prefix}${error.message}`, EXIT.failed, details);
    }
  }
  const e = error as NodeJS.ErrnoException;
  return new CliError(
    `${action === 'connect' ? `cannot connect to ${target}: ` : ''}${e.message}`,
    EXIT.failed,
  );
}

/** Where a command writes: human lines or one JSON object per line on stdout, errors on stderr. */
export class Output {
  /** Writes one status or error line for humans; `msrp chat` redirects it above its prompt. */
  writeStatus: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);

  constructor(
    readonly command: string,
    readonly json: boolean,
  ) {}

  /** A result line (stdout): text in human mode, `event` in JSON mode. */
  result(text: string, event: Record<string, unknown>): void {
    process.stdout.write(this.json ? `${JSON.stringify(event)}\n` : `${text}\n`);
  }

  /** A JSON event only (nothing in human mode). */
  event(event: Record<string, unknown>): void {
    if (this.json) process.stdout.write(`${JSON.stringify(event)}\n`);
  }

  /** A status line for humans (stderr), e.g. "connected"; JSON mode emits `event` instead. */
  status(text: string, event: Record<string, unknown>): void {
    if (this.json) this.event(event);
    else this.writeStatus(`${this.command}: ${text}`);
  }

  /** An error line on stderr (always), and an error event in JSON mode. */
  error(text: string, details: Record<string, unknown> = {}): void {
    this.writeStatus(`${this.command}: ${oneLine(text)}`);
    this.event({ event: 'error', message: oneLine(text), ...details });
  }
}

/** Collapses a message onto one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Resolves after `ms`, or at once when the promise settles; never rejects. */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/** Calls `handler` once on SIGINT or SIGTERM; a second signal exits at once. */
export function onSignal(handler: (signal: NodeJS.Signals) => void): void {
  let seen = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (seen) process.exit(EXIT.interrupted);
    seen = true;
    handler(signal);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
}
