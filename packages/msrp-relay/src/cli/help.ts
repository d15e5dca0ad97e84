// The `msrp-relay` command's help text and version: what --help and --version print before
// anything else loads (issue 12: `msrp-relay --help` under 200 ms). This module imports only
// node:fs: no msrp-core (package resolution ~4 ms), no node:util's parseArgs.
import { readFileSync } from 'node:fs';

export const USERS_DB_HELP = `  --users-db URL            users in PostgreSQL: the SIP subscriber table Kamailio and
                            OpenSIPS use, e.g. postgres://msrp:secret@db.example.net/kamailio
                            (the realm must be the users' domain). Schema:
                            packages/msrp-relay/sql/subscriber-postgres.sql
  --users-db-table NAME     the subscriber table (schema.table allowed). Default subscriber
  --users-db-column KEY=NAME   a column of another name (repeatable), KEY one of username,
                            domain, password, ha1, ha1b, ha1-sha256; empty NAME: no such
                            column (domain= looks users up by name only). SHA-256 digest
                            needs ha1-sha256=ha1_sha256 (OpenSIPS) or plain passwords
  --users-db-plain-passwords   compute HA1s from the password column (Kamailio's
                            calculate_ha1) instead of reading the ha1 columns`;

export const HELP = `Usage: msrp-relay [options]
       msrp-relay users add|remove|list ...   (edits --users FILE or --users-db; users --help)

An MSRP relay (RFC 4976): clients authenticate with AUTH (HTTP Digest, SHA-256 or MD5)
and get a relay URI (Use-Path) that peers reach them through; chunks are forwarded as
they arrive, with backpressure, in bounded memory.

The first lines of stdout are the URIs really listened on, then the metrics URL:
  listening msrp://127.0.0.1:2855;tcp
  metrics http://127.0.0.1:9090
Logs are JSON objects, one per line, on stderr. SIGTERM or SIGINT shuts down gracefully
(stop accepting, finish chunks in flight, close); SIGHUP rereads --users, --tls-cert and
--tls-key (new handshakes get the new certificate) and forgets the users cached from
--users-db.

Options (each also as environment variable MSRP_RELAY_<NAME>, e.g. MSRP_RELAY_REALM, and
as a key of the --config JSON file, e.g. {"realm": "example.net", "user": ["a:pw"]}):
  --listen URI              'msrp://HOST:PORT;tcp' or 'msrps://...' (quoted in a shell;
                            repeatable; port 0 picks a free port; [::1] for IPv6);
                            ';ws' for MSRP over WebSocket (RFC 7977): 'msrp://HOST:PORT;ws'
                            is ws:, 'msrps://HOST:PORT;ws' is wss: (with --tls-cert).
                            Default 'msrp://127.0.0.1:2855;tcp'
  --ws-path PATH            HTTP path WebSocket upgrades are accepted on. Default /
  --ws-origin ORIGIN        Origin allowed in WebSocket handshakes, e.g.
                            https://chat.example.net (repeatable; others get 403;
                            handshakes without Origin are not browsers, not checked).
                            Default: any
  --tls-cert FILE           PEM certificate for msrps listeners
  --tls-key FILE            PEM private key of --tls-cert
  --host NAME               host name put in the relay URIs handed out (Use-Path).
                            Default: the address a client connected to
  --realm REALM             Digest realm. Default msrp-relay
  --user NAME:PASSWORD      a user (repeatable; for quick starts and tests)
  --users FILE              users file: NAME:PASSWORD or NAME:REALM:MD5|SHA-256:HA1 lines
${USERS_DB_HELP}
  --min-expires S           shortest Expires granted, seconds (423 below). Default 60
  --max-expires S           longest Expires granted, seconds (423 above). Default 3600
  --default-expires S       Expires when the client asks for none. Default 600
  --max-connections N       connections at once. Default 20000
  --max-connections-per-address N   inbound connections per IP address. Default 256
  --unauthenticated-timeout MS      close connections that neither AUTH nor send a
                            forwardable request within MS. Default 30000
  --idle-timeout MS         close connections without relay sessions idle for MS, and drop
                            peers that read nothing for MS. Default 300000; 0: off
                            (idle connections stay, a stalled reader holds its senders)
  --frame-timeout MS        close connections whose frame in progress makes no progress
                            (head complete, next piece of body) within MS. Default 30000;
                            0: off (a slow sender may hold a connection byte by byte)
  --max-header-bytes N      largest frame header block. Default 16384
  --max-chunk-size N        largest chunk body forwarded. Default 67108864
  --max-pending N           forwarded requests awaiting a response per connection. Default 1024
  --max-pending-bytes N     body bytes of the chunks awaiting a response per connection
                            (what a chat line waits behind; about a connection's rate per
                            round trip). Default 1048576
  --max-queued-bytes N      bytes queued for slow next hops before senders pause. Default 1048576
  --max-ws-message N        largest WebSocket message (1009 closes past it).
                            Default max-chunk-size + max-header-bytes + 1024
  --max-ws-chunk N          largest chunk body sent to a WebSocket peer: larger chunks are
                            cut into chunks of N bytes, one per message. Default 65536
  --max-auth-attempts N     failed AUTHs on one connection before it is closed. Default 5
  --auth-fail-burst N       failed AUTHs one address (IPv6: one /64) may make at once; past
                            them its AUTHs get 403, no challenge, and a close. 0: off. Default 20
  --auth-fail-rate N        failed AUTHs per minute an address regains. Default 10
  --auth-user-fail-burst N  failed AUTHs naming one username (from any address) at once;
                            past them AUTHs naming it get 403 (except on a connection that
                            holds a session of that user). 0: off. Default 10
  --auth-user-fail-rate N   failed AUTHs per minute a username regains. Default 5
  --auth-rate-entries N     addresses, and usernames, the AUTH rate limits remember (least
                            recently seen forgotten first). Default 10000
  --metrics HOST:PORT       serve /metrics (Prometheus) and /health over HTTP (port 0: free)
  --log-level LEVEL         debug, info, warn, error or silent. Default info
  --config FILE             JSON file with any of the options above
  -h, --help                show this help
  -V, --version             print the version

Exit codes: 0 after a clean shutdown, 2 usage error, 3 cannot listen.`;

/** The version of @msrp-ts/msrp-relay; the same path works from src/cli and dist/cli. */
export function packageVersion(): string {
  const json = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(json) as { version: string }).version;
}
