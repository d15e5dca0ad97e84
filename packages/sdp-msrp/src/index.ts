// Public API of @msrp-ts/sdp-msrp: SDP offer/answer for MSRP media. Arrives with issue 4.
export {};
