// SDP as the RFCs show it and as deployed clients send it. Each fixture is written with LF
// here for readability and used with CRLF (the wire form) and LF by the tests.

/** Joins lines with CRLF and ends with CRLF, as RFC 8866 §5 writes SDP. */
export function crlf(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4975 §8.7: Alice's offer, one text/plain stream, no relays, no a=setup. */
export const RFC4975_OFFER = [
  'v=0',
  'o=alice 2890844526 2890844527 IN IP4 atlanta.example.com',
  's=-',
  'c=IN IP4 atlanta.example.com',
  't=0 0',
  'm=message 7654 TCP/MSRP *',
  'a=accept-types:text/plain',
  'a=path:msrp://atlanta.example.com:7654/jshA7weztas;tcp',
];

/** RFC 4975 §8.7: Bob's answer to {@link RFC4975_OFFER}. */
export const RFC4975_ANSWER = [
  'v=0',
  'o=bob 2890844612 2890844616 IN IP4 biloxi.example.com',
  's=-',
  'c=IN IP4 biloxi.example.com',
  't=0 0',
  'm=message 12763 TCP/MSRP *',
  'a=accept-types:text/plain',
  'a=path:msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp',
];

/** RFC 4975 §8.6 style: CPIM with wrapped types and a max-size. */
export const RFC4975_WRAPPED = [
  'v=0',
  'o=alice 2890844526 2890844527 IN IP4 alice.example.com',
  's=-',
  'c=IN IP4 alice.example.com',
  't=0 0',
  'm=message 7394 TCP/MSRP *',
  'a=accept-types:message/cpim text/plain text/html',
  'a=accept-wrapped-types:text/plain image/*',
  'a=max-size:131072',
  'a=path:msrp://alice.example.com:7394/2s93i9ek2a;tcp',
];

/** RFC 4976 / RFC 4975 §8.3: a path through a relay (TLS), relay first. */
export const RELAYED_OFFER = [
  'v=0',
  'o=bob 2890844527 2890844527 IN IP4 relay.example.net',
  's=-',
  'c=IN IP4 relay.example.net',
  't=0 0',
  'm=message 2855 TCP/TLS/MSRP *',
  'a=accept-types:text/plain message/cpim',
  'a=path:msrps://relay.example.net:2855/asdf;tcp msrps://bob.example.com:1234/9di4ea;tcp',
];

/** RFC 5547 §9 style push offer: Alice sends a picture (sendonly). */
export const RFC5547_PUSH = [
  'v=0',
  'o=Alice 1234 2345 IN IP4 alice.example.org',
  's=',
  'c=IN IP4 alice.example.org',
  't=0 0',
  'm=message 7654 TCP/MSRP *',
  'i=This is my latest picture',
  'a=sendonly',
  'a=accept-types:message/cpim',
  'a=accept-wrapped-types:*',
  'a=path:msrp://alice.example.org:7654/jshA7we;tcp',
  'a=file-selector:name:"My cool picture.jpg" type:image/jpeg size:32349 hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E',
  'a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd',
  'a=file-disposition:attachment',
  'a=file-date:creation:"Mon, 15 May 2006 15:01:31 +0300"',
  'a=file-icon:cid:id2@alicepc.example.org',
  'a=file-range:1-32349',
];

/** RFC 5547 style pull offer: Alice asks Bob for a file she knows by name and hash (recvonly). */
export const RFC5547_PULL = [
  'v=0',
  'o=Alice 1234 2345 IN IP4 alice.example.org',
  's=',
  'c=IN IP4 alice.example.org',
  't=0 0',
  'm=message 7654 TCP/MSRP *',
  'a=recvonly',
  'a=accept-types:message/cpim',
  'a=accept-wrapped-types:*',
  'a=path:msrp://alice.example.org:7654/jshA7we;tcp',
  'a=file-selector:name:"My cool picture.jpg" hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E',
  'a=file-transfer-id:Aq3fxE39dfRdG3mUpqD3j6Q7',
];

/** An RCS client's chat offer (GSMA RCS): CPIM with IMDN, a=setup:actpass, no c= port use. */
export const RCS_CHAT_OFFER = [
  'v=0',
  'o=- 3667904944 3667904944 IN IP4 192.168.1.50',
  's=-',
  'c=IN IP4 192.168.1.50',
  't=0 0',
  'm=message 20000 TCP/MSRP *',
  'a=accept-types:message/cpim application/im-iscomposing+xml',
  'a=accept-wrapped-types:text/plain message/imdn+xml application/vnd.gsma.rcspushlocation+xml application/vnd.gsma.rcs-ft-http+xml',
  'a=setup:actpass',
  'a=path:msrp://192.168.1.50:20000/1458916144436;tcp',
  'a=sendrecv',
];

/** A desktop client over TLS with its certificate fingerprint, CEMA and connection:new. */
export const TLS_CEMA_OFFER = [
  'v=0',
  'o=- 3629466447 3629466447 IN IP4 198.51.100.10',
  's=Blink 5.1.7 (Linux)',
  'c=IN IP4 198.51.100.10',
  't=0 0',
  'm=message 10001 TCP/TLS/MSRP *',
  'a=path:msrps://10.0.0.2:2855/9ab9e2fa1ab4b2b8d1ae;tcp',
  'a=accept-types:message/cpim text/* application/im-iscomposing+xml',
  'a=accept-wrapped-types:*',
  'a=setup:actpass',
  'a=connection:new',
  'a=msrp-cema',
  'a=fingerprint:SHA-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:31:18:9D:88:37:50:EF:35:E5:F1:B0:F0',
  'a=sendrecv',
];

/** An IPv6 offer. */
export const IPV6_OFFER = [
  'v=0',
  'o=- 1 1 IN IP6 2001:db8::1',
  's=-',
  'c=IN IP6 2001:db8::1',
  't=0 0',
  'm=message 2855 TCP/MSRP *',
  'a=accept-types:text/plain',
  'a=path:msrp://[2001:db8::1]:2855/v6sess;tcp',
  'a=setup:active',
];

/** RFC 7977 style: a browser over secure WebSocket, always active. */
export const WSS_OFFER = [
  'v=0',
  'o=- 2890844526 2890844527 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=message 9 TCP/WSS/MSRP *',
  'a=accept-types:text/plain',
  'a=path:msrps://df7jal23ls0d.invalid/2s93i93idj;ws',
  'a=setup:active',
];

/**
 * RFC 7977 §8 style: a WebSocket client behind its relay. The relay's Use-Path comes first,
 * then the client's own `.invalid` URI; the m-line stays TCP/TLS/MSRP (§5.2.2), from the
 * relay's `msrps` first hop.
 */
export const WS_RELAYED_OFFER = [
  'v=0',
  'o=- 2890844526 2890844527 IN IP4 relay.example.com',
  's=-',
  'c=IN IP4 relay.example.com',
  't=0 0',
  'm=message 443 TCP/TLS/MSRP *',
  'a=accept-types:text/plain',
  'a=path:msrps://relay.example.com:443;ws msrp://abc123.invalid:2855/s1;ws',
  'a=setup:actpass',
  'a=connection:new',
];

/** An older WebSocket peer that writes TCP/WS/MSRP in the m-line, behind a plain relay. */
export const LEGACY_WS_OFFER = [
  'v=0',
  'o=- 7 7 IN IP4 relay.example.com',
  's=-',
  'c=IN IP4 relay.example.com',
  't=0 0',
  'm=message 80 TCP/WS/MSRP *',
  'a=accept-types:text/plain',
  'a=path:msrp://relay.example.com:80;ws msrp://abc123.invalid:2855/s1;ws',
  'a=setup:actpass',
];

/** Audio and MSRP in one offer, with session-level and unknown attributes to keep. */
export const MIXED_OFFER = [
  'v=0',
  'o=carol 28908764872 28908764872 IN IP4 100.3.6.6',
  's=Call with chat',
  'i=A session with audio and chat',
  'c=IN IP4 100.3.6.6',
  'b=AS:64',
  't=0 0',
  'a=x-vendor-flag',
  'a=sendrecv',
  'm=audio 49170 RTP/AVP 0 8 97',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:97 iLBC/8000',
  'm=message 2855 TCP/MSRP *',
  'a=x-custom:keep me',
  'a=accept-types:text/plain',
  'a=path:msrp://100.3.6.6:2855/chat42;tcp',
  'a=x-custom:and me, in order',
];

/** Every fixture, by name. */
export const ALL_FIXTURES: Readonly<Record<string, readonly string[]>> = {
  RFC4975_OFFER,
  RFC4975_ANSWER,
  RFC4975_WRAPPED,
  RELAYED_OFFER,
  RFC5547_PUSH,
  RFC5547_PULL,
  RCS_CHAT_OFFER,
  TLS_CEMA_OFFER,
  IPV6_OFFER,
  WSS_OFFER,
  WS_RELAYED_OFFER,
  LEGACY_WS_OFFER,
  MIXED_OFFER,
};
