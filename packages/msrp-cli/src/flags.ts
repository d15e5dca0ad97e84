// Command-line flags of the `msrp` commands: strict parsing, and the flags that several
// commands share (URIs, paths, sizes, durations, relays, TLS).
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  normalizeFingerprint,
  parseUri,
  type MsrpUri,
  type RelayAccount,
  type TlsClientOptions,
  type TlsServerOptions,
} from '@msrp-ts/msrp-core';
import { usage } from './exit-codes.js';

/** Parses flags strictly; unknown flags and stray arguments are usage errors. */
export function parseFlags<const T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw usage(parseArgsError(e).replace(/\. To specify a positional.*$/, ''));
  }
}

/**
 * parseArgs' error in one line: it explains itself ("Unknown option '--x'..."); its first
 * line, and for a value that starts with a dash (`--timeout -5`) the line saying how to give
 * one, where "argument is ambiguous" alone left the user guessing.
 */
export function parseArgsError(e: unknown): string {
  const lines = (e as Error).message.split('\n');
  return / is ambiguous\.$/.test(lines[0]!) ? `${lines[0]!} ${lines.at(-1)!}` : lines[0]!;
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

/** What --help says about the relay flags, their text starting at `column` as the rest's. */
export function relayHelp(column: number): string {
  return [
    ['--relay URI', "go through this MSRP relay (RFC 4976), e.g. 'msrp://relay:2855;tcp';"],
    ['', 'repeat for a chain, the one to connect to first'],
    ['--user NAME', "user name for the relays' Digest authentication"],
    ['--password PW', 'password for the relays (or MSRP_PASSWORD in the environment)'],
  ]
    .map(([flag, text]) => `  ${flag!.padEnd(column - 2)}${text!}`)
    .join('\n');
}

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
  if (values.user === '') throw usage('--user must be a user name, not empty');
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
  // Past 2^31 - 1 ms (24.8 days) a timer fires at once: a --timeout of 3e9 timed out in 1 ms.
  if (!Number.isSafeInteger(n) || n <= 0 || n > 2 ** 31 - 1) {
    throw usage(
      `${flag} must be a number of milliseconds from 1 to 2147483647 (24.8 days), not "${text}"`,
    );
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
  if (values.ca !== undefined) tls.ca = readCa(values.ca);
  return tls.fingerprint === undefined && tls.ca === undefined ? undefined : tls;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The --ca file, checked to hold PEM certificates: Node ignores what is not one, and the
 * handshake then failed as "unable to verify", naming neither the file nor the flag.
 */
function readCa(path: string): Buffer {
  const pem = readPem('--ca', path);
  const certificates = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) throw usage(`--ca: ${path} holds no PEM certificate`);
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  certificates.forEach((certificate, k) => {
    try {
      new X509Certificate(certificate);
    } catch (e) {
      throw usage(`--ca: certificate ${k + 1} of ${path}: ${(e as Error).message}`);
    }
  });
  return pem;
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
  const tls = { cert: readPem('--tls-cert', certPath), key: readPem('--tls-key', keyPath) };
  // Checked now, naming the files: a listener would fail with "PEM routines::no start line".
  try {
    process.getBuiltinModule('node:tls').createSecureContext(tls);
  } catch (e) {
    throw usage(`--tls-cert ${certPath} and --tls-key ${keyPath}: ${(e as Error).message}`);
  }
  return tls;
}
