// Public API of @msrp-ts/msrp-relay: an RFC 4976 relay. Its machinery (hops, the chunk
// scheduler, relay sessions, the Digest authenticator) stays inside the package; credential
// stores are the extension point.
export { Relay } from './relay.js';
export type { RelayListenOptions } from './relay.js';
export type { WebSocketListenOptions } from './ws-listener.js';
export { resolveLimits, silentLogger } from './relay-options.js';
export type { RelayOptions, RelayLimits, RelayLogger, ResolvedLimits } from './relay-options.js';
export { RelayStats } from './relay-stats.js';
export { StaticCredentialStore } from './credential-store.js';
export type { CredentialStore, UserCredential } from './credential-store.js';
export { FileCredentialStore, parseUsersFile } from './file-credential-store.js';
export { PgCredentialStore } from './pg-credential-store.js';
export type { PgCredentialStoreOptions, CredentialStoreStats } from './pg-credential-store.js';
export { SubscriberTable, subscriberHa1 } from './subscriber-table.js';
export type { SubscriberColumns, SubscriberSecrets } from './subscriber-table.js';
export { CredentialCache } from './credential-cache.js';
export type { CredentialCacheOptions } from './credential-cache.js';
export { createRelayMetrics } from './metrics.js';
export { startAdminServer } from './admin-server.js';
export type { AdminServer, AdminServerOptions } from './admin-server.js';
export { adaptYoungGeneration } from './young-generation.js';
export type { YoungGenerationControl, YoungGenerationOptions } from './young-generation.js';
