import { MsrpError } from '../errors.js';
import { abortedError } from '../session/abortable.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { checkDialable, type Dialer, type DialOptions } from '../transport/dialer.js';
import type { MsrpUri } from '../wire/uri.js';
import { webSocketStream, type WebSocketLike } from './websocket-stream.js';

/**
 * A WebSocket constructor: a browser's (or Node 22's) global `WebSocket`, the `ws` package's
 * `WebSocket`, or a function that adds options (`(url, protocols) => new WebSocket(url,
 * protocols, { ca })` with `ws`).
 */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/** Options of {@link webSocketDialer}. */
export interface WebSocketDialerOptions {
  /** The WebSocket class to dial with. Default: the global `WebSocket` (absent on Node 20). */
  WebSocket?: WebSocketConstructor;
  /** The stream's `highWaterMark` (see `webSocketStream`). Default 1 MiB. */
  highWaterMark?: number;
}

/** RFC 7977 §4.1: the WebSocket subprotocol of MSRP, required on both sides. */
const SUBPROTOCOL = 'msrp';

/**
 * The WebSocket URL of an MSRP URI whose transport is `ws` (RFC 7977 §7):
 * `msrp://host:port;ws` is `ws://host:port/`, `msrps://host:port;ws` is `wss://host:port/`.
 * Without a port, the WebSocket default (80 or 443) applies.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when the URI's transport is not `ws`.
 */
export function webSocketUrl(uri: MsrpUri): string {
  if (uri.transport.toLowerCase() !== 'ws') {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Cannot dial ${uri.scheme}://${uri.host};${uri.transport} over a WebSocket: only ";ws" URIs are (RFC 7977)`,
    );
  }
  const host = uri.host.includes(':') && !uri.host.startsWith('[') ? `[${uri.host}]` : uri.host;
  const port = uri.port === undefined ? '' : `:${uri.port}`;
  return `${uri.scheme === 'msrps' ? 'wss' : 'ws'}://${host}${port}/`;
}

/**
 * A {@link Dialer} for `;ws` URIs (RFC 7977): it opens a WebSocket with the `msrp`
 * subprotocol and refuses a server that did not select it. Use it for both schemes:
 * `{ msrp: dialer, msrps: dialer }`; `msrps:` dials `wss:`, whose certificate the WebSocket
 * implementation checks (the dial options' `tls` is not used: pass a constructor that sets
 * TLS options where the implementation has them).
 */
export function webSocketDialer(options: WebSocketDialerOptions = {}): Dialer {
  return async (uri, dialOptions) => {
    webSocketUrl(uri); // a `;tcp` URI is refused before the runtime is looked at
    const Ws = options.WebSocket ?? globalWebSocket();
    if (!Ws) {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        'This runtime has no global WebSocket (Node 20): pass one, e.g. webSocketDialer({ WebSocket }) with the ws package',
      );
    }
    return openWebSocket(
      uri,
      dialOptions,
      (url, protocols) => new Ws(url, protocols),
      (socket, url) =>
        webSocketStream(socket, { highWaterMark: options.highWaterMark, remote: url }),
    );
  };
}

/**
 * Dials a `;ws` URI with the global `WebSocket` (browsers, Node 22+): the browser
 * `Endpoint`'s dialer for both schemes. On Node 20 use `webSocketDialer({ WebSocket })` with
 * the `ws` package.
 */
export const dialWebSocket: Dialer = webSocketDialer();

/** The runtime's WebSocket class: where DOM types exist, this also checks that it fits. */
type GlobalWebSocket = typeof globalThis extends { WebSocket: infer W } ? W : never;
function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: GlobalWebSocket }).WebSocket;
}

/**
 * Opens a WebSocket to a `;ws` URI with the `msrp` subprotocol and wraps it with `stream`
 * as soon as it exists (so that no message is missed), failing unless the server selected
 * `msrp` (RFC 7977 §4.1), after `options.timeout`, or when `options.signal` aborts.
 * @internal
 */
export async function openWebSocket<S extends WebSocketLike>(
  uri: MsrpUri,
  options: Pick<DialOptions, 'timeout' | 'signal'>,
  create: (url: string, protocols: string[]) => S,
  stream: (socket: S, url: string) => ByteStream,
): Promise<ByteStream> {
  const url = webSocketUrl(uri);
  checkDialable(uri);
  const { signal } = options;
  const timeout = options.timeout ?? 10_000;
  const fail = (why: string, cause?: unknown): MsrpError =>
    new MsrpError('MSRP_ERR_CONNECTION', `Cannot connect to ${url}: ${why}`, { cause });
  if (signal?.aborted) throw abortedError(signal, `Connecting to ${url}`);
  let socket: S;
  try {
    socket = create(url, [SUBPROTOCOL]);
  } catch (e) {
    throw fail((e as Error).message, e);
  }
  // Listening from the start: no message is lost between open and the stream taking over.
  const wrapped = stream(socket, url);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: MsrpError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      if (!error) return resolve();
      if (socket.readyState <= 1) socket.close();
      reject(error);
    };
    const timer = setTimeout(() => settle(fail(`timed out after ${timeout} ms`)), timeout);
    // Closed while connecting, the socket is dropped at once (ws aborts its handshake).
    const abort = (): void => settle(abortedError(signal!, `Connecting to ${url}`));
    signal?.addEventListener('abort', abort, { once: true });
    socket.addEventListener('open', () => {
      // RFC 7977 §4.1: the client MUST fail the connection unless the server selected msrp.
      if (socket.protocol !== SUBPROTOCOL) {
        settle(fail(`the server did not select the "msrp" subprotocol (RFC 7977 §4.1)`));
      } else settle();
    });
    socket.addEventListener('error', (event) => {
      const { message } = event as { message?: unknown };
      // A browser says nothing of why; ws does ("Server sent no subprotocol"...).
      const why =
        typeof message === 'string'
          ? message
          : 'the WebSocket failed (refused, TLS, or no "msrp" subprotocol)';
      const hint = /subprotocol/i.test(why)
        ? ' (RFC 7977 §4.1: the server must select "msrp")'
        : '';
      settle(fail(`${why}${hint}`));
    });
    socket.addEventListener('close', (event) =>
      settle(fail(`closed with code ${event.code} before it opened`)),
    );
  });
  return wrapped;
}
