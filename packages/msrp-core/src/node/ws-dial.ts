import type { TLSSocket } from 'node:tls';
import { openWebSocket } from '../browser/websocket-dial.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { maxWebSocketMessageFor, type Dialer, type DialOptions } from '../transport/dialer.js';
import type { MsrpUri } from '../wire/uri.js';
import { checkPeerFingerprint } from './fingerprint.js';
import { nodeTlsOptions } from './tls-options.js';
import { WS_OPTIONS, wsStream } from './ws-stream.js';

/**
 * Dials a `;ws` URI on Node with the `ws` package (RFC 7977): `msrp:` over `ws://`,
 * `msrps:` over `wss://` with the dial options' TLS (CAs, client certificate, and the
 * expected `fingerprint`, checked once the WebSocket is open and before any MSRP byte is
 * sent). The `msrp` subprotocol is offered and required (§4.1). Text messages are taken
 * as raw bytes, not checked as UTF-8 ({@link WS_OPTIONS}, §4.2); one larger than
 * `options.maxWebSocketMessage` closes the connection with 1009.
 */
export async function dialWs(uri: MsrpUri, options: DialOptions): Promise<ByteStream> {
  // Loaded on the first WebSocket dial: importing `ws` costs about 10 MiB of memory, which
  // an endpoint that only speaks TCP should not pay.
  const { WebSocket } = await import('ws');
  const tls = options.tls ?? {};
  let socket: InstanceType<typeof WebSocket> | undefined;
  const stream = await openWebSocket(
    uri,
    options,
    (url, protocols) =>
      (socket = new WebSocket(url, protocols, {
        ...WS_OPTIONS,
        maxPayload: options.maxWebSocketMessage ?? maxWebSocketMessageFor(),
        ...(uri.scheme === 'msrps' && {
          ...nodeTlsOptions(tls),
          ...(tls.servername !== undefined && { servername: tls.servername }),
        }),
      })),
    (ws, url) => wsStream(ws, url),
  );
  const tcp = (socket as unknown as { _socket?: TLSSocket | null })._socket;
  if (uri.scheme === 'msrps' && tls.fingerprint !== undefined) {
    try {
      checkPeerFingerprint(tcp!, tls.fingerprint);
    } catch (e) {
      stream.destroy();
      throw e;
    }
  }
  return stream;
}

/**
 * A dialer that takes `;ws` URIs to {@link dialWs} and the others to `otherwise`: what
 * Node's `defaultDialers` put under each scheme.
 */
export function orWebSocket(otherwise: Dialer): Dialer {
  return (uri, options) =>
    uri.transport.toLowerCase() === 'ws' ? dialWs(uri, options) : otherwise(uri, options);
}
