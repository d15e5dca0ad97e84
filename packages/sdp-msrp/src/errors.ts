/**
 * Stable machine-readable codes of {@link SdpError}. A code never changes meaning; new
 * failure kinds get new codes.
 */
export type SdpErrorCode =
  /** The SIP message has no start line, or its header section never ends. */
  | 'SDP_ERR_BAD_SIP'
  /** The SIP message (or every part of its multipart body) carries no `application/sdp`. */
  | 'SDP_ERR_NO_SDP'
  /**
   * A `multipart/*` body has no boundary, its parts are not delimited by it, or multipart
   * bodies nest more than 16 deep.
   */
  | 'SDP_ERR_BAD_MULTIPART'
  /** An SDP line does not have the `<type>=<value>` form, or the description is not SDP. */
  | 'SDP_ERR_SYNTAX'
  /** An SDP line parses as SDP but its value breaks the grammar of its field or attribute. */
  | 'SDP_ERR_BAD_ATTRIBUTE'
  /** The session description has no MSRP media (`m=message ... TCP/.../MSRP *`). */
  | 'SDP_ERR_NO_MSRP'
  /** A caller passed options that cannot be written as SDP (a programming error). */
  | 'SDP_ERR_INVALID_ARGUMENT';

/** Options of {@link SdpError}. */
export interface SdpErrorOptions {
  /** 1-based line number in the SDP (or SIP message) text of the offending line. */
  line?: number;
  /** The offending line, as it was written. */
  text?: string;
  /** The underlying error, if any (e.g. the `MsrpError` of a bad `a=path` URI). */
  cause?: unknown;
}

/**
 * The one error class of sdp-msrp. Parse errors name the offending line by number and
 * text, so that a log line is enough to find what a peer sent wrong.
 *
 * @example
 * ```ts
 * try { parseMsrpMedia(parseSdp(text)); }
 * catch (e) { if (e instanceof SdpError) console.error(e.code, e.line, e.message); }
 * ```
 */
export class SdpError extends Error {
  override readonly name = 'SdpError';
  /** Stable code naming the failure. */
  readonly code: SdpErrorCode;
  /** 1-based line number of the offending line, when there is one. */
  readonly line: number | undefined;
  /** The offending line, when there is one. */
  readonly text: string | undefined;

  constructor(code: SdpErrorCode, message: string, options: SdpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.line = options.line;
    this.text = options.text;
  }
}

/** An {@link SdpError} about one line: "line 7 (a=path:...): why". */
export function lineError(
  code: SdpErrorCode,
  line: { readonly number: number; readonly text: string },
  why: string,
  cause?: unknown,
): SdpError {
  return new SdpError(code, `line ${line.number} (${line.text}): ${why}`, {
    line: line.number,
    text: line.text,
    ...(cause !== undefined && { cause }),
  });
}
