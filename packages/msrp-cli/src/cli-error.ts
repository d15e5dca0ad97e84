// How every `msrp` command ends: its exit codes and the error that carries one. No library
// import here: `msrp --help` loads only this and the command table.

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
  3    connection failed or lost (nothing listening, TLS or fingerprint mismatch), or
       the peer's session closed in the middle of a message (481 once bytes went through)
  4    timeout (no response, or no success REPORT, in time; send: a transfer stalled
       mid-way, e.g. the listener stopped)
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
