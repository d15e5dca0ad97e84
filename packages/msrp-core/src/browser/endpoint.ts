import { EndpointBase } from '../endpoint/endpoint-base.js';
import type { EndpointOptions } from '../endpoint/options.js';
import { nobleHasher } from './noble-hasher.js';

/**
 * An MSRP endpoint (RFC 4975) in a browser, or on any runtime without Node: it dials through
 * the `dialers` of its options (a WebSocket to a relay, RFC 7977), takes inbound connections
 * with `acceptConnection()`, and hashes with `@noble/hashes`. Files are `Blob`s and
 * streams: `sendFile(path)` and `saveTo(path)` need Node. `await using` closes it.
 */
export class Endpoint extends EndpointBase {
  constructor(options: EndpointOptions = {}) {
    super(options, { dialers: {}, createHasher: nobleHasher });
  }
}
