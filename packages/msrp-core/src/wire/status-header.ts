/** The Status header of a REPORT (RFC 4975 §7.1.2, §9): `namespace SP code [SP reason]`. */
export interface StatusHeader {
  /** Three-digit namespace; `'000'` for RFC 4975 codes. */
  readonly namespace: string;
  /** Three-digit status code, e.g. 200 or 413. */
  readonly code: number;
  /** Free text after the code. */
  readonly reason?: string;
}

const STATUS = /^(\d{3}) (\d{3})(?: (.*))?$/;

/** Parses a Status header value; returns undefined when malformed. */
export function parseStatusHeader(text: string): StatusHeader | undefined {
  const m = STATUS.exec(text);
  if (!m) return undefined;
  const status: StatusHeader = { namespace: m[1]!, code: Number(m[2]) };
  return m[3] === undefined ? status : { ...status, reason: m[3] };
}

/** Formats a {@link StatusHeader}. */
export function formatStatusHeader(status: StatusHeader): string {
  const code = String(status.code).padStart(3, '0');
  return status.reason === undefined
    ? `${status.namespace} ${code}`
    : `${status.namespace} ${code} ${status.reason}`;
}
