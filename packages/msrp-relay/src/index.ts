// Public API of @msrp-ts/msrp-relay: an RFC 4976 relay. Arrives with issue 5.
export {};
