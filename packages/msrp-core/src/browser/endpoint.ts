import { EndpointBase } from '../endpoint/endpoint-base.js';
import type { EndpointOptions } from '../endpoint/options.js';
import { nobleHasher } from './noble-hasher.js';
import { dialWebSocket } from './websocket-dial.js';

/**
 * An MSRP endpoint (RFC 4975) in a browser, or on any runtime without Node: it dials `;ws`
 * URIs of both schemes over the global WebSocket (RFC 7977; `dialWebSocket`, which refuses
 * other transports), or through the `dialers` of its options, takes inbound connections
 * with `acceptConnection()`, and hashes with `@noble/hashes`. Files are `Blob`s and
 * streams: `sendFile(path)` and `saveTo(path)` need Node. `await using` closes it.
 */
export class Endpoint extends EndpointBase {
  constructor(options: EndpointOptions = {}) {
    // A browser opens no TCP or TLS socket: both schemes go over a WebSocket (RFC 7977).
    super(options, {
      dialers: { msrp: dialWebSocket, msrps: dialWebSocket },
      createHasher: nobleHasher,
    });
  }
}
