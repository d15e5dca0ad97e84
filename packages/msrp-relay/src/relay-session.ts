import type { MsrpUri } from '@msrp-ts/msrp-core';
import { formatUri, uriKey } from '@msrp-ts/msrp-core/internal';
import type { Hop } from './hop.js';

/**
 * A client authenticated with AUTH (RFC 4976 §6.1), reachable through the relay URI handed
 * out in Use-Path. A request for that URI arriving on the client's connection goes on to the
 * next To-Path URI; one arriving from anywhere else goes to the client (RFC 4976 §7.1).
 */
export class RelaySession {
  /** The session-id of {@link uri}: 96 random bits. */
  readonly id: string;
  /** This relay's URI for the client, the last URI of the Use-Path it got. */
  readonly uri: MsrpUri;
  readonly username: string;
  /** The connection the AUTH came on: the client, and where requests for it go. */
  readonly client: Hop;
  /** The AUTH's From-Path: the client (and the relays between it and us). */
  readonly authPath: readonly MsrpUri[];
  /** When the session expires, in ms since epoch (RFC 4976 §6.1 Expires); 0 once it has. */
  expiresAt = 0;

  constructor(
    id: string,
    uri: MsrpUri,
    username: string,
    client: Hop,
    authPath: readonly MsrpUri[],
  ) {
    this.id = id;
    this.uri = Object.freeze(uri);
    this.username = username;
    this.client = client;
    this.authPath = authPath;
  }

  /** The relay URI as text, for logs. */
  toString(): string {
    return formatUri(this.uri);
  }
}

/**
 * Host and port of a URI, compared as RFC 4975 §6.1 compares them (IPv6 by value, host
 * case-insensitively); scheme, session-id and transport left out.
 */
export function authorityKey(uri: MsrpUri): string {
  return uriKey({
    scheme: 'msrp',
    host: uri.host,
    port: uri.port ?? 2855,
    transport: 'tcp',
    params: [],
  });
}
