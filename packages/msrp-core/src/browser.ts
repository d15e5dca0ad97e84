// Public API of @msrp-ts/msrp-core in browsers (and any runtime without Node): everything that
// runs anywhere (api.ts), with an Endpoint that dials through the dialers it is given and
// hashes with @noble/hashes. Nothing here imports Node: ESLint refuses it, and
// test/browser-bundle.test.ts bundles this entry for the browser and runs it without Node.
export * from './api.js';

export { Endpoint } from './browser/endpoint.js';
export { nobleHasher } from './browser/noble-hasher.js';
export { webSocketStream } from './browser/websocket-stream.js';
export type { WebSocketLike, WebSocketStreamOptions } from './browser/websocket-stream.js';
export { dialWebSocket, webSocketDialer, webSocketUrl } from './browser/websocket-dial.js';
export type { WebSocketConstructor, WebSocketDialerOptions } from './browser/websocket-dial.js';
