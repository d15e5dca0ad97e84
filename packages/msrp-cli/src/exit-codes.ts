// How every `msrp` command ends: its exit codes, the error that carries one, and the mapping
// from the library's errors to them.
import { DeliveryError, MsrpError } from '@msrp-ts/msrp-core';

/** Exit codes of every `msrp` command. */
export const EXIT = {
  ok: 0,
  /** The peer refused the message or the session (4xx), or a transfer failed (a file read error too). */
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
  1    delivery refused or failed (e.g. 413, 415, 481 from the peer; the file
       could not be read midway)
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

/** A usage error (bad flags or arguments): exit code 2. */
export function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
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
      case 'MSRP_ERR_FILE':
        // A read error midway: the file did open, so this is a failed transfer, not a usage error.
        return new CliError(`cannot read the file: ${detail}${suffix}`, EXIT.failed, confirmed);
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
      case 'MSRP_ERR_FILE': // the file to send is missing or unreadable
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
