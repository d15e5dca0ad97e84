// The mapping from the library's errors to the exit codes of every `msrp` command.
import { DeliveryError, MsrpError } from '@msrp-ts/msrp-core';
import { CliError, EXIT } from './cli-error.js';

export { CliError, EXIT, EXIT_CODES_HELP, usage } from './cli-error.js';

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
    // The status leads, unless the detail says it already ("Failure REPORT 413 ...").
    const said = detail.replace(/^Failure REPORT /, '');
    if (error.status !== undefined && !said.startsWith(String(error.status))) {
      detail = `${error.status} ${detail}`;
    }
    const suffix = ` (${error.confirmedBytes} bytes confirmed)`;
    if (error.status === 481 && error.confirmedBytes > 0) {
      // RFC 4975 §10: the session went away under a message it was taking (the listener
      // stopped): a broken transfer, as a lost connection is, that a rerun resumes.
      return new CliError(`connection lost: ${detail}${suffix}`, EXIT.connection, confirmed);
    }
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
