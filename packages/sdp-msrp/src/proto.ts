import type { MsrpUri } from '@msrp-ts/msrp-core/uri';
import type { MsrpProto } from './msrp-media.js';

/** The `m=` protos this package writes: RFC 4975 §8.1 defines no others. */
export type WrittenProto = 'TCP/MSRP' | 'TCP/TLS/MSRP';

/**
 * The `m=` proto for a path, from its first hop, the URI the peer connects to: `msrps` means
 * `TCP/TLS/MSRP`, `msrp` means `TCP/MSRP` (RFC 4975 §8.1). A `;ws` transport changes nothing
 * here: RFC 7977 §5.2.2 keeps WebSocket out of the m-line (it shows only in `a=path`), so
 * `TCP/WS/MSRP` and `TCP/WSS/MSRP` are read but never written.
 */
export function protoForPath(path: readonly MsrpUri[]): WrittenProto {
  return path[0]!.scheme === 'msrps' ? 'TCP/TLS/MSRP' : 'TCP/MSRP';
}

/**
 * The proto an `m=` proto stands for, as RFC 7977 §5.2.2 writes it: `TCP/WS/MSRP` (which
 * older WebSocket peers write) is `TCP/MSRP`, `TCP/WSS/MSRP` is `TCP/TLS/MSRP`; the two RFC
 * 4975 protos are themselves. Offer and answer agree when their canonical protos are equal.
 */
export function canonicalProto(proto: MsrpProto): WrittenProto {
  return proto === 'TCP/TLS/MSRP' || proto === 'TCP/WSS/MSRP' ? 'TCP/TLS/MSRP' : 'TCP/MSRP';
}

/**
 * Whether no one can open a connection to this URI: its host is under `.invalid`, a name
 * that never resolves (RFC 6761 §6.4). A WebSocket client, which takes no inbound
 * connections, puts such a made-up host in its own URI (RFC 7977 §5.2.2 and the §8.1.1
 * example, e.g. `msrp://abc123.invalid:2855/s1;ws`) and is reached through its relay; so
 * does an msrp-core endpoint that does not listen (`msrp://<random>.invalid:2855/<id>;tcp`).
 */
export function isUnreachable(uri: { readonly host: string }): boolean {
  return /(^|\.)invalid\.?$/i.test(uri.host);
}
