// The listening endpoint of `msrp listen` and `msrp chat --listen`: listens on a URI (or
// through relays), creates the one session that waits for peers, and reports on it.
import {
  Endpoint,
  certificateFingerprint,
  formatUri,
  newSessionId,
  type MsrpError,
  type MsrpUri,
  type RelayAccount,
  type Session,
  type SessionOptions,
  type TlsClientOptions,
  type TlsServerOptions,
} from '@msrp-ts/msrp-core';
import { classify, CliError, EXIT, usage } from './exit-codes.js';
import type { Output } from './output.js';

/** A listening endpoint with its one session, as `listen` and `chat --listen` use it. */
export interface Listener {
  readonly endpoint: Endpoint;
  readonly session: Session;
  readonly uri: MsrpUri;
  /** How peers address us: our relays (with --relay), then {@link uri}. */
  readonly path: readonly MsrpUri[];
  readonly fingerprint: string | undefined;
}

/** How a listener reaches its relays. */
export interface RelayOptions {
  /** Match requests by session-id alone (EndpointOptions.matchSessionIdOnly). */
  matchSessionIdOnly?: boolean | undefined;
  relays?: readonly RelayAccount[] | undefined;
  /** TLS client options for msrps relays (--ca, --fingerprint). */
  relayTls?: TlsClientOptions | undefined;
  /** Called once when the connection to the relay is lost (the endpoint's `relayLost`). */
  onRelayLost?: (() => void) | undefined;
  /** --timeout of msrp chat --listen: connecting to the relay, and each response awaited. */
  timeout?: number | undefined;
}

/**
 * Listens on the authority of `uri` (TLS when `tls` is given, making the URI `msrps`) and
 * creates the session that waits for peers, rebinding after each one leaves.
 */
export async function openListener(
  uri: MsrpUri | undefined,
  tls: TlsServerOptions | undefined,
  options: SessionOptions,
  out: Output,
  through: RelayOptions = {},
): Promise<Listener> {
  if (uri?.scheme === 'msrps' && !tls) throw usage('an msrps URI needs --tls-cert and --tls-key');
  // RFC 7977 §1: WebSocket carries MSRP between clients and relays; peers reach us over TCP.
  if (uri && uri.transport.toLowerCase() !== 'tcp') {
    throw usage(
      `--uri: listening is over tcp, not ${uri.transport} (a ;ws URI is a relay's, for --relay)`,
    );
  }
  const { relays, relayTls, onRelayLost, matchSessionIdOnly, timeout } = through;
  const endpoint = new Endpoint({
    ...(timeout !== undefined && { timeout, connectTimeout: timeout }),
    ...(matchSessionIdOnly && { matchSessionIdOnly }),
    ...(relays && { relays }),
    ...(relayTls && { tls: relayTls }),
  });
  if (onRelayLost) endpoint.once('relayLost', onRelayLost);
  endpoint.on('peerError', (error: MsrpError, remote: string) => {
    out.writeStatus(`${out.command}: peer ${remote}: ${error.message}`);
    out.event({
      event: 'peerError',
      remote,
      code: error.code,
      status: error.status,
      message: error.message,
    });
  });
  // Only through relays (no uri): nothing listens here, the relay reaches us over our
  // connection, and our URI is the endpoint's own (an .invalid host; behind a relay reached
  // over WebSocket, its scheme and the ws transport, as in RFC 7977 §8.1.1).
  let localUri: MsrpUri | undefined;
  if (uri !== undefined) {
    let bound: MsrpUri;
    const port = uri.port ?? 2855;
    try {
      bound = await endpoint.listen({ host: uri.host, port, ...(tls && { tls }) });
    } catch (e) {
      await endpoint.close();
      // listen() says "Cannot listen on host:port: why"; the prefix already says the first part.
      const why = (e as Error).message.replace(/^Cannot listen on .*?:\d+: /, '');
      throw new CliError(`cannot listen on ${uri.host}:${port}: ${why}`, EXIT.connection);
    }
    // The session URI is the one given, with the port really bound and the TLS scheme.
    localUri = {
      ...uri,
      scheme: tls ? 'msrps' : 'msrp',
      port: bound.port,
      sessionId: uri.sessionId ?? newSessionId(),
    };
  }
  if (relays) {
    try {
      await endpoint.authenticate(localUri);
    } catch (e) {
      await endpoint.close();
      const relay = relays[0]!.uri;
      throw classify(e, 'connect', typeof relay === 'string' ? relay : formatUri(relay));
    }
    endpoint.registration?.on('error', (e) => out.error(`relay refresh failed: ${e.message}`));
  }
  const session = endpoint.createSession({
    ...options,
    ...(localUri && { localUri }),
    rebind: true,
  });
  session.accept();
  const fingerprint = tls ? certificateFingerprint(tls.cert) : undefined;
  const text = session.localPath.map(formatUri).join(' ');
  out.result(`listening ${text}`, {
    event: 'listening',
    uri: text,
    ...(fingerprint && { fingerprint }),
    // For scripts that want to stop it with a signal.
    pid: process.pid,
  });
  if (fingerprint) out.result(`fingerprint ${fingerprint}`, { event: 'fingerprint', fingerprint });
  session.on('bound', () => {
    const peer = session.remotePath?.at(-1);
    const from = peer ? formatUri(peer) : 'unknown';
    out.status(`connected: ${from}`, { event: 'connected', from });
  });
  session.on('unbound', (error?: Error) => {
    const reason = error && peerError(error);
    out.status(`disconnected${reason ? `: ${reason}` : ''}`, {
      event: 'disconnected',
      ...(reason && { reason }),
    });
  });
  // What the peer was told (415, 413...): the reader never sees these messages.
  session.on('refused', ({ messageId, contentType, size, error }) => {
    const what = [contentType, size === undefined ? undefined : `${size} bytes`].filter(Boolean);
    const text = `refused message ${messageId ?? 'without Message-ID'}${what.length > 0 ? ` (${what.join(', ')})` : ''}: ${error.status} ${error.message}`;
    out.status(text, {
      event: 'refused',
      messageId,
      contentType,
      size,
      status: error.status,
      message: error.message,
    });
  });
  return { endpoint, session, uri: session.localUri, path: session.localPath, fingerprint };
}

/** Plain words for what a peer did to the connection, where Node says "read ECONNRESET". */
const PEER_ERRORS: Readonly<Record<string, string>> = {
  ECONNRESET: 'the peer reset the connection',
  EPIPE: 'the peer closed the connection while we wrote to it',
  ETIMEDOUT: 'the connection timed out',
};

function peerError(error: Error): string {
  const plain = PEER_ERRORS[(error as NodeJS.ErrnoException).code ?? ''];
  return plain ? `${plain} (${error.message})` : error.message;
}
