import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectOptions, TLSSocket } from 'node:tls';
import { MsrpError } from '../errors.js';
import { abortedError } from '../session/abortable.js';
import { checkDialable, type Dialer, type DialOptions } from '../transport/dialer.js';
import type { ByteStream } from '../transport/byte-stream.js';
import type { MsrpUri } from '../wire/uri.js';
import { checkPeerFingerprint } from './fingerprint.js';
import { connectReusingReads, socketStream } from './socket-stream.js';
import { nodeTlsOptions } from './tls-options.js';
import { orWebSocket } from './ws-dial.js';

/**
 * `socket` once `event` (connected) came; destroyed on an error, after `timeout` ms, or when
 * `signal` aborts (then the dial rejects with `MSRP_ERR_ABORTED`, the signal's reason as cause).
 */
async function connected<T extends Socket>(
  socket: T,
  event: string,
  uri: MsrpUri,
  options: DialOptions,
): Promise<T> {
  const where = `${uri.host}:${uri.port ?? 2855}`;
  const { signal } = options;
  const timeout = options.timeout ?? 10_000;
  const timer = setTimeout(
    () => socket.destroy(new Error(`timed out after ${timeout} ms`)),
    timeout,
  );
  try {
    await once(socket, event, signal && { signal });
    // Connected in the turn the signal aborted: `once` resolved first, so look again.
    signal?.throwIfAborted();
    return socket;
  } catch (e) {
    socket.destroy();
    if (signal?.aborted) {
      throw abortedError(signal, `Connecting to ${where}`);
    }
    throw new MsrpError(
      'MSRP_ERR_CONNECTION',
      `Cannot connect to ${where}: ${(e as Error).message}`,
      { cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Dials `msrp:` over TCP. RFC 4975 §6: a URI without port uses the default 2855. */
export async function dialTcp(uri: MsrpUri, options: DialOptions): Promise<ByteStream> {
  checkDialable(uri);
  // net and tls load on first use (process.getBuiltinModule), not with msrp-core: each is
  // file-backed RSS in every process that imports it (tls 1.9 MiB, net 1.2; issue 12).
  const target = { host: uri.host, port: uri.port ?? 2855, noDelay: true };
  const socket = options.reuseReads
    ? connectReusingReads(target)
    : process.getBuiltinModule('node:net').connect(target);
  return socketStream(await connected(socket, 'connect', uri, options));
}

/** Dials `msrps:` over TLS, checking the certificate chain or the expected fingerprint. */
export async function dialTls(uri: MsrpUri, options: DialOptions): Promise<ByteStream> {
  checkDialable(uri);
  const tls = options.tls ?? {};
  const ip = /^[\d.]+$/.test(uri.host) || uri.host.includes(':');
  const connectOptions: TlsConnectOptions = {
    host: uri.host,
    port: uri.port ?? 2855,
    ...nodeTlsOptions(tls),
    ...((tls.servername ?? (ip ? undefined : uri.host)) !== undefined && {
      servername: tls.servername ?? uri.host,
    }),
  };
  let dialing: TLSSocket;
  try {
    dialing = process.getBuiltinModule('node:tls').connect(connectOptions);
  } catch (e) {
    // Thrown at once, making the secure context: a client cert or key that is not PEM.
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `Bad TLS options: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const socket = await connected(dialing, 'secureConnect', uri, options);
  socket.setNoDelay(true);
  if (tls.fingerprint !== undefined) {
    try {
      checkPeerFingerprint(socket, tls.fingerprint);
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }
  return socketStream(socket);
}

/**
 * The dialers by URI scheme: `msrp` over TCP and `msrps` over TLS, or, for a URI whose
 * transport is `ws`, over a WebSocket (`ws://`, `wss://`, RFC 7977) with the `ws` package.
 * Pass your own map to an endpoint to add transports.
 */
export const defaultDialers: Readonly<Record<string, Dialer>> = {
  msrp: orWebSocket(dialTcp),
  msrps: orWebSocket(dialTls),
};
