import { SdpError } from './errors.js';
import type { ConnectionData } from './msrp-media.js';
import type { SdpLine } from './session-description.js';

/** Session-level fields of a description we write (RFC 8866 §5.1-5.9). */
export interface SessionLinesOptions {
  /** `o=` username. Default `-`. */
  readonly username?: string;
  /** `o=` sess-id, digits. Default: random. */
  readonly sessionId?: string;
  /** `o=` sess-version, digits. Default `0`. */
  readonly sessionVersion?: string;
  /** `s=`. Default `-`. */
  readonly sessionName?: string;
}

/** `c=` data for a host: `IN IP6` for IPv6 literals, `IN IP4` for IPv4 and host names. */
export function connectionFor(host: string): ConnectionData {
  return { netType: 'IN', addrType: host.includes(':') ? 'IP6' : 'IP4', address: host };
}

/**
 * The session-level lines `v=`, `o=`, `s=`, `c=`, `t=` of a description we write.
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for a sess-id or sess-version that is not
 * digits, or fields with spaces where RFC 8866 §5.2 allows none.
 */
export function sessionLines(options: SessionLinesOptions, connection: ConnectionData): SdpLine[] {
  // RFC 8866 §5.2: sess-id and sess-version are numeric strings.
  const sessionId = options.sessionId ?? String(randomSessionId());
  const version = options.sessionVersion ?? '0';
  const username = options.username ?? '-';
  if (!/^\d+$/.test(sessionId) || !/^\d+$/.test(version) || !/^\S+$/.test(username)) {
    throw new SdpError(
      'SDP_ERR_INVALID_ARGUMENT',
      `Invalid o= fields "${username} ${sessionId} ${version}" (username without spaces, numeric ids)`,
    );
  }
  const c = `${connection.netType} ${connection.addrType} ${connection.address}`;
  return [
    { type: 'v', value: '0' },
    { type: 'o', value: `${username} ${sessionId} ${version} ${c}` },
    { type: 's', value: (options.sessionName ?? '-').replace(/[\r\n]/g, ' ') || '-' },
    { type: 'c', value: c },
    { type: 't', value: '0 0' },
  ];
}

/**
 * A random sess-id in [1, 2^47), from the Web Crypto global that Node and browsers both have
 * (not node:crypto: sdp-msrp is bundled into web pages too).
 */
function randomSessionId(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high! & 0x7fff) * 2 ** 32 + low! || 1;
}
