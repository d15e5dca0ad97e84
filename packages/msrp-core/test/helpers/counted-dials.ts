// TCP dials as an Endpoint makes them, counted: whether sessions to one peer share a connection.
import { dialTcp, type Dialer } from '../../src/index.js';

/** Dialers for `EndpointOptions.dialers` that dial TCP and count it; `dials()` tells how often. */
export function countedTcpDials(): { dialers: { msrp: Dialer }; dials: () => number } {
  let dials = 0;
  const msrp: Dialer = (uri, options) => {
    dials++;
    return dialTcp(uri, options);
  };
  return { dialers: { msrp }, dials: () => dials };
}
