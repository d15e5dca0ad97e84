import { unreachableHost } from '../transport/dialer.js';
import { parseUri, type MsrpUri } from '../wire/uri.js';
import type { EndpointOptions } from './options.js';

/** What our session URIs start with. */
export interface Authority {
  scheme: 'msrp' | 'msrps';
  host: string;
  port: number;
  transport: string;
}

/**
 * The authority of an endpoint that does not listen: a random `.invalid` host, and behind a
 * first relay reached over WebSocket the `ws` transport and that relay's scheme (RFC 7977
 * §8: `msrps://df7jal23ls0d.invalid:2855/98cjs;ws` over wss), so that `a=path` says how
 * the relay reaches us.
 */
export function defaultAuthority(options: EndpointOptions): Authority {
  const host = options.host ?? unreachableHost();
  const first = options.relays?.[0]?.uri;
  let relay: MsrpUri | undefined;
  try {
    relay = typeof first === 'string' ? parseUri(first) : first;
  } catch {
    // A bad relay URI is refused by authenticate(), with its own error.
  }
  if (options.host === undefined && relay?.transport.toLowerCase() === 'ws')
    return { scheme: relay.scheme, host, port: 2855, transport: 'ws' };
  return { scheme: 'msrp', host, port: 2855, transport: 'tcp' };
}
