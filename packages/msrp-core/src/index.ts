// Public API of @msrp-ts/msrp-core on Node: everything that runs anywhere (api.ts), and the
// Node runtime: the Endpoint that listens, TCP, TLS and WebSocket (RFC 7977, the ws package)
// dialers and streams, node:crypto hashing, node:fs files.
// Plumbing that sibling packages (the relay) need is in ./internal.ts, the
// `@msrp-ts/msrp-core/internal` subpath, which has no stability promise. Browsers import
// `@msrp-ts/msrp-core/browser` (browser.ts).
export * from './api.js';

export { Endpoint } from './node/endpoint.js';
export type { ListenOptions } from './node/endpoint.js';
export type { TlsServerOptions } from './node/listener.js';
export { dialTcp, dialTls, defaultDialers } from './node/dial.js';
export { socketStream, type SocketStreamOptions } from './node/socket-stream.js';
export { certificateFingerprint, normalizeFingerprint } from './node/fingerprint.js';
export { digestHa1 } from './node/node-digest.js';
export { nodeHasher } from './node/node-hasher.js';
export { workerHasher } from './node/worker-hasher.js';
export { PartialFile } from './node/partial-file.js';
export { moveToNew } from './node/move-new.js';
export type {
  CompletedFile,
  OctetSpan,
  PartialFileOptions,
  PartialFileRecord,
  ReceivedPart,
  RecordHash,
} from './node/partial-file.js';
export { wsStream, WS_OPTIONS } from './node/ws-stream.js';
export type { WsSocket } from './node/ws-stream.js';
export { dialWs } from './node/ws-dial.js';
export { webSocketStream } from './browser/websocket-stream.js';
export type { WebSocketLike, WebSocketStreamOptions } from './browser/websocket-stream.js';
export { dialWebSocket, webSocketDialer, webSocketUrl } from './browser/websocket-dial.js';
export type { WebSocketConstructor, WebSocketDialerOptions } from './browser/websocket-dial.js';
