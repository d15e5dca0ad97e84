import { MsrpError } from '../errors.js';

/** A URI parameter after the transport: `;name` or `;name=value`. */
export interface UriParam {
  readonly name: string;
  readonly value?: string;
}

/**
 * An MSRP or MSRPS URI (RFC 4975 §6):
 * `msrp[s]://[userinfo@]host[:port][/session-id];transport[;param[=value]]*`.
 * Every part keeps the spelling it had on the wire, so {@link formatUri} gives the same text back.
 */
export interface MsrpUri {
  readonly scheme: 'msrp' | 'msrps';
  /** Userinfo before `@`, still percent-encoded; not part of URI comparison. */
  readonly user?: string;
  /** Host name, IPv4 address, or IPv6 address without its brackets. */
  readonly host: string;
  /** Port; absent when the URI names none (RFC 4975 §6: no default is implied for comparison). */
  readonly port?: number;
  /** Session id, compared case-sensitively; absent in a relay's own URI. */
  readonly sessionId?: string;
  /** Transport parameter: `tcp`, `ws` (RFC 7977) or any other `1*ALPHANUM`. */
  readonly transport: string;
  /** Parameters after the transport, in order. */
  readonly params: readonly UriParam[];
}

const SCHEME = /^(msrps?):\/\//i;
// RFC 3986 unreserved / pct-encoded / sub-delims, without ";" which ends the authority here.
const USERINFO = /^(?:[A-Za-z0-9\-._~!$&'()*+,=:]|%[0-9A-Fa-f]{2})*$/;
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,=]|%[0-9A-Fa-f]{2})+$/;
const PORT = /^[0-9]{1,5}$/;
const SESSION_ID = /^[A-Za-z0-9\-._~+=/]+$/;
const TRANSPORT = /^[A-Za-z0-9]+$/;
const TOKEN = /^[!#-'*+\-.0-9A-Z^-~]+$/;

function bad(text: string, why: string): MsrpError {
  return new MsrpError('MSRP_ERR_BAD_URI', `Invalid MSRP URI "${text}": ${why}`, { status: 400 });
}

/** Normalises an IPv6 literal, or returns undefined when it is not one. */
function normalizeIpv6(host: string): string | undefined {
  try {
    return new URL(`http://[${host}]/`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Whether `host` can stand as the host of an MSRP URI (RFC 4975 §9, RFC 3986 §3.2.2): a
 * name or IPv4 address, or an IPv6 address written without its brackets.
 */
export function isUriHost(host: string): boolean {
  return host.includes(':') ? normalizeIpv6(host) !== undefined : REG_NAME.test(host);
}

/**
 * Parses an MSRP URI (RFC 4975 §6, §9).
 * @throws {MsrpError} `MSRP_ERR_BAD_URI` (status 400) naming the part that is wrong.
 */
export function parseUri(text: string): MsrpUri {
  const scheme = SCHEME.exec(text);
  if (!scheme) throw bad(text, 'scheme must be msrp:// or msrps://');
  let rest = text.slice(scheme[0].length);

  const semi = rest.indexOf(';');
  if (semi < 0) throw bad(text, 'missing ";transport" (e.g. ";tcp")');
  const tail = rest.slice(semi + 1);
  rest = rest.slice(0, semi);

  // authority ["/" session-id]
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let sessionId: string | undefined;
  if (slash >= 0) {
    sessionId = rest.slice(slash + 1);
    if (!SESSION_ID.test(sessionId)) throw bad(text, `invalid session-id "${sessionId}"`);
  }

  let hostPort = authority;
  let user: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    user = authority.slice(0, at);
    if (!USERINFO.test(user)) throw bad(text, `invalid userinfo "${user}"`);
    hostPort = authority.slice(at + 1);
  }

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw bad(text, 'unterminated IPv6 literal');
    host = hostPort.slice(1, close);
    if (normalizeIpv6(host) === undefined) throw bad(text, `invalid IPv6 address "${host}"`);
    const after = hostPort.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw bad(text, `unexpected "${after}" after IPv6 address`);
      portText = after.slice(1);
    }
  } else {
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    if (colon >= 0) portText = hostPort.slice(colon + 1);
    if (!REG_NAME.test(host))
      throw bad(text, host === '' ? 'missing host' : `invalid host "${host}"`);
  }

  let port: number | undefined;
  if (portText !== undefined) {
    if (!PORT.test(portText) || Number(portText) > 65535) {
      throw bad(text, `invalid port "${portText}"`);
    }
    port = Number(portText);
  }

  const [transportText = '', ...rawParams] = tail.split(';');
  if (!TRANSPORT.test(transportText)) throw bad(text, `invalid transport "${transportText}"`);
  // The usual spellings as literals: a relay keeps every client's parsed URIs, and a string
  // sliced from the header line costs 24 bytes more each (and 32 for an empty params array).
  const transport = transportText === 'tcp' ? 'tcp' : transportText === 'ws' ? 'ws' : transportText;
  const schemeText = scheme[1]!.toLowerCase();
  const params =
    rawParams.length === 0
      ? NO_PARAMS
      : rawParams.map((raw): UriParam => {
          const eq = raw.indexOf('=');
          const name = eq < 0 ? raw : raw.slice(0, eq);
          const value = eq < 0 ? undefined : raw.slice(eq + 1);
          if (!TOKEN.test(name) || (value !== undefined && !TOKEN.test(value))) {
            throw bad(text, `invalid parameter "${raw}"`);
          }
          return value === undefined ? { name } : { name, value };
        });

  const uri: MsrpUri = {
    scheme: schemeText === 'msrp' ? 'msrp' : 'msrps',
    host,
    transport,
    params: params === NO_PARAMS ? params : Object.freeze(params),
    ...(user !== undefined && { user }),
    ...(port !== undefined && { port }),
    ...(sessionId !== undefined && { sessionId }),
  };
  // Frozen, so that its text can be cached and the object shared between parsed frames.
  return Object.freeze(uri);
}

/** The params of a URI that has none: one frozen array for all of them. */
const NO_PARAMS: readonly UriParam[] = Object.freeze([]);

/** Text of frozen URIs: the same few URIs are formatted on every chunk of a session. */
const formatted = new WeakMap<MsrpUri, string>();

/** Formats an MSRP URI; the inverse of {@link parseUri}. */
export function formatUri(uri: MsrpUri): string {
  let text = formatted.get(uri);
  if (text === undefined) {
    text = formatUncached(uri);
    if (Object.isFrozen(uri)) formatted.set(uri, text);
  }
  return text;
}

// Joined, not concatenated: `+=` leaves a tree of cons strings, ~100 bytes more per cached
// text, and a relay caches two per idle client.
function formatUncached(uri: MsrpUri): string {
  const s: (string | number)[] = [uri.scheme, '://'];
  if (uri.user !== undefined) s.push(uri.user, '@');
  s.push(uri.host.includes(':') ? `[${uri.host}]` : uri.host);
  if (uri.port !== undefined) s.push(':', uri.port);
  if (uri.sessionId !== undefined) s.push('/', uri.sessionId);
  s.push(';', uri.transport);
  for (const p of uri.params)
    s.push(p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`);
  return s.join('');
}

const UNRESERVED_ESCAPE = /%([0-9A-Fa-f]{2})/g;

/**
 * The host as URI comparison sees it (RFC 4975 §6.1): lower case, IPv6 addresses by value,
 * percent-encoded unreserved characters decoded.
 */
export function comparableHost(host: string): string {
  if (host.includes(':')) return normalizeIpv6(host) ?? host.toLowerCase();
  // RFC 3986 §6.2.2.2: percent-encoded unreserved characters are decoded before comparing.
  return host
    .replace(UNRESERVED_ESCAPE, (m, hex: string) => {
      const c = String.fromCharCode(parseInt(hex, 16));
      return /[A-Za-z0-9\-._~]/.test(c) ? c : m.toUpperCase();
    })
    .toLowerCase();
}

/**
 * Compares two MSRP URIs by the rules of RFC 4975 §6.1: scheme and host case-insensitively
 * (IPv6 addresses by value, percent-encoded unreserved characters decoded), userinfo ignored,
 * a port only equal to the same explicit port, session-id case-sensitively, transport
 * case-insensitively.
 */
export function uriEquals(a: MsrpUri, b: MsrpUri): boolean {
  return (
    a.scheme === b.scheme &&
    a.port === b.port &&
    a.sessionId === b.sessionId &&
    a.transport.toLowerCase() === b.transport.toLowerCase() &&
    comparableHost(a.host) === comparableHost(b.host)
  );
}

/**
 * A string that is equal for two URIs exactly when {@link uriEquals} says they are: a key
 * for maps of sessions.
 */
export function uriKey(uri: MsrpUri): string {
  let key = keys.get(uri);
  if (key === undefined) {
    // Joined: a flat string (see formatUncached).
    key = [
      uri.scheme,
      '://',
      comparableHost(uri.host),
      ':',
      uri.port ?? '',
      '/',
      uri.sessionId ?? '',
      ';',
      uri.transport.toLowerCase(),
    ].join('');
    if (Object.isFrozen(uri)) keys.set(uri, key);
  }
  return key;
}

/** Keys of frozen URIs: every inbound request is routed by one. */
const keys = new WeakMap<MsrpUri, string>();
