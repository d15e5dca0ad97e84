// `msrp listen`: a passive endpoint that prints text messages and stores files.
import { resolve } from 'node:path';
import {
  cpimWrappedTypeCheck,
  formatUri,
  parseUri,
  type IncomingMessage,
  type MsrpUri,
  type Session,
} from '@msrp-ts/msrp-core';
import { classify, CliError, EXIT, EXIT_CODES_HELP, usage } from './exit-codes.js';
import { makeDirectory } from './files.js';
import {
  parseFlags,
  RELAY_FLAGS,
  relayHelp,
  relayFlags,
  msFlag,
  sizeFlag,
  tlsClientFlags,
  tlsServerFlags,
  uriFlag,
} from './flags.js';
import { Output } from './output.js';
import { closeAfterArrived, onSignal, within } from './shutdown.js';
import { reconnect, RECONNECT_DEFAULT_MS } from './relay-watch.js';
import { KEEPALIVE_HELP } from './keepalive.js';
import { serveChat } from './listen-chat.js';
import { FILE_OFFER_TYPE } from './file-offer.js';
import { openListener, type Listener } from './listener.js';

export const LISTEN_HELP = `Usage: msrp listen --uri URI [options]
       msrp listen --relay URI --user NAME --password PW [options]

Waits for MSRP peers on the host and port of URI and receives what they send to it:
text messages (text/*) are printed on stdout, other content (files) is stored under
--out. It is a chat peer too (e.g. of msrp chat): chat in CPIM (message/cpim) is printed
as text, and the delivery and display notifications it asks for are answered
(RFC 5438): "delivered" once received, "displayed" when printed on a terminal (printed
to a pipe or file, or with --json, only "delivered"). After a peer disconnects, the next
one may send to the same URI again, so scripts can send one message or file after
another. Runs until SIGINT or SIGTERM; a file whose last chunk has come by then is
stored and confirmed first (for up to 3 s), one still arriving is cut.

The first line of stdout is the URI really listened on (port 0 picks a free port):
  listening msrp://127.0.0.1:41234/SESSION;tcp
Through a relay (--relay), peers reach us over our connection to it and the line gives
the whole path to send to, relay first (no local port is opened unless --uri is given):
  listening msrp://relay:2855/RELAYSESSION;tcp msrp://RANDOM.invalid:2855/SESSION;tcp
With --tls-cert/--tls-key a second line gives the certificate fingerprint to pin:
  fingerprint SHA-256 AB:CD:...

Options:
  --uri URI            session URI, e.g. 'msrp://127.0.0.1:2855/mysession;tcp'; a URI
                       without session-id gets a random one; port 0 picks a free port.
                       Senders must use the URI as printed (host included)
  --accept-types LIST  comma-separated media types to accept (type/subtype, type/* or *);
                       others are refused with 415. Default: *
  --accept-wrapped-types LIST
                       media types accepted inside message/cpim (same syntax); a CPIM
                       wrapping another type is refused with 415. Default: *
  --max-size N         largest message accepted, in bytes (k, M, G suffixes allowed);
                       larger ones are refused with 413
  --out DIR            directory for received files (created if missing). Default: .
  --incomplete-timeout MS
                       give up a message whose next chunk does not come within MS
                       milliseconds (its sender or a relay went away, the connection
                       stayed): an error line, and a resumable file keeps NAME.part
                       (its sender going on later is written on where it stopped).
                       0: wait for ever. Default 120000
  --match-session-id   accept requests whose To-Path names our session-id at another
                       host or port (behind port forwarding, NAT or a TCP proxy)
  --tls-cert FILE      PEM certificate: listen for msrps (TLS); needs --tls-key
  --tls-key FILE       PEM private key of --tls-cert
${relayHelp(23)}
  --fingerprint FP     msrps relay: the SHA-256 fingerprint its certificate must have
  --ca FILE            msrps relay: PEM CA certificates to verify it against
  --reconnect MS       when the connection to the relay is lost, try to reach it again
                       (with backoff) for up to MS milliseconds, then exit 3; on success
                       the new path is printed as another "listening ..." line (the old
                       one is gone). 0: exit 3 at once. Default ${RECONNECT_DEFAULT_MS}
  --json               one JSON object per line on stdout: first {"event":"listening",
                       "uri":...,"pid":...}, then events "connected", "disconnected",
                       "message", "file", "composing", "idle", "refused" (a message
                       answered 413, 415...), "error" and "peerError";
                       a chat message in CPIM has "cpim":true, its "from", "to",
                       "dateTime", "imdnMessageId" and the notifications answered
                       ("notified": ["delivered", ...])
  -h, --help           show this help

Stored files keep the sender's file name (base name only; an existing file is never
overwritten: name-1.ext, name-2.ext...). Each is reported with its path, size, SHA-256
and whether it matched the hash the sender announced. A file is written as NAME.part
(NAME-1.part... when taken) and renamed to NAME only once whole and its hash checked: a
transfer that breaks removes it (killing listen itself may leave it), and a file under
its final name is always complete.

Resume: a file that \`msrp send --file\` offers first (application/x-msrp-file-offer) is
received into NAME.part, beside NAME.part.json (which file: name, size, type, modification
date), and renamed to NAME once complete and the SHA-256 of the whole file matched. When
the transfer breaks (the sender, we or the connection went away), both are kept; when
the same file is offered again we answer with the a=file-range we miss, and only that
travels. Each chunk is confirmed (200) only after it was written, so a crash of this
process loses nothing the sender was told had arrived. A NAME.part or NAME.part.json in
--out that is not such a part (a file received as "NAME.part", one of yours) is left
alone: NAME then comes whole, as any other file, and is not resumable.

${KEEPALIVE_HELP}

${EXIT_CODES_HELP}`;

const FLAGS = {
  uri: { type: 'string' },
  'accept-types': { type: 'string' },
  'accept-wrapped-types': { type: 'string' },
  'max-size': { type: 'string' },
  out: { type: 'string' },
  'match-session-id': { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  fingerprint: { type: 'string' },
  ca: { type: 'string' },
  reconnect: { type: 'string' },
  'incomplete-timeout': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...RELAY_FLAGS,
} as const;

export async function listenCommand(args: readonly string[]): Promise<number> {
  const values = parseFlags(args, FLAGS);
  if (values.help) {
    process.stdout.write(`${LISTEN_HELP}\n`);
    return EXIT.ok;
  }
  const out = new Output('msrp listen', values.json ?? false);
  const relays = relayFlags(values);
  const uri = values.uri === undefined && relays ? undefined : uriFlag('--uri', values.uri);
  const tls = tlsServerFlags(values);
  const acceptTypes = typesFlag('--accept-types', values['accept-types']);
  const acceptWrappedTypes = typesFlag('--accept-wrapped-types', values['accept-wrapped-types']);
  const maxSize = sizeFlag('--max-size', values['max-size']);
  const relayTls = tlsClientFlags(values);
  if (relayTls && !relays) throw usage('--fingerprint and --ca are for an msrps --relay');
  const reconnectMs =
    values.reconnect === '0'
      ? 0
      : (msFlag('--reconnect', values.reconnect) ?? RECONNECT_DEFAULT_MS);
  if (values.reconnect !== undefined && !relays) throw usage('--reconnect goes with --relay');
  const incompleteTimeout =
    values['incomplete-timeout'] === '0'
      ? 0
      : msFlag('--incomplete-timeout', values['incomplete-timeout']);
  const outDir = resolve(values.out ?? '.');
  try {
    await makeDirectory(outDir);
  } catch (e) {
    throw usage(`--out: cannot create ${outDir}: ${(e as Error).message}`);
  }

  const sessionOptions = {
    // A chunk is confirmed only once its bytes were taken to be written: nothing we confirm
    // is lost if this process dies, so a resume never needs a confirmed byte again.
    confirmWhenRead: true,
    // The file offers of `msrp send` (resume) are ours, whatever the files' types.
    ...(acceptTypes && { acceptTypes: [...acceptTypes, FILE_OFFER_TYPE] }),
    ...(maxSize !== undefined && { maxSize }),
    ...(incompleteTimeout !== undefined && { incompleteMessageTimeout: incompleteTimeout }),
    // RFC 4975 §8.6: a CPIM wrapping a type outside accept-wrapped-types is answered 415.
    ...(acceptWrappedTypes && { checkMessage: cpimWrappedTypeCheck(acceptWrappedTypes) }),
  };
  const stopped = new Promise<void>((resolve) => onSignal(() => resolve()));
  const pending = new Map<Promise<void>, IncomingMessage>();
  const serve = (session: Session): Promise<void> =>
    serveChat(session, out, {
      outDir,
      // Displayed means a user saw it: printed text on a terminal, not into a pipe or JSON.
      displayed: process.stdout.isTTY === true && !out.json,
      acceptWrappedTypes,
      track: (work, message) => {
        pending.set(work, message);
        void work.finally(() => pending.delete(work));
      },
    });
  // Through a relay, a lost connection to it is a lost listener: `lost` settles then.
  let lost: Promise<void> = new Promise(() => undefined);
  let bound = uri;
  const open = async (): Promise<Listener> => {
    let onLost = (): void => undefined;
    lost = new Promise((resolve) => (onLost = resolve));
    const listener = await openListener(bound, tls, sessionOptions, out, {
      relays,
      relayTls,
      matchSessionIdOnly: values['match-session-id'],
      onRelayLost: () => onLost(),
    });
    // Reconnecting listens on the port first bound (port 0 picked one).
    if (bound) bound = { ...bound, port: listener.uri.port };
    return listener;
  };

  let listener = await open();
  const serving = [serve(listener.session)];
  let failure: CliError | undefined;
  while ((await Promise.race([stopped.then(() => 'stop'), lost.then(() => 'lost')])) === 'lost') {
    const relay = uriOf(relays![0]!.uri);
    out.status(`lost the connection to the relay ${formatUri(relay)}`, {
      event: 'relayLost',
      relay: formatUri(relay),
    });
    await within(listener.endpoint.close(), 2000);
    let next: Listener | undefined;
    try {
      next =
        reconnectMs === 0
          ? undefined
          : await reconnect(open, relay, reconnectMs, stopped, (message, delay) =>
              out.status(`cannot reach the relay (${message}); retrying in ${delay} ms`, {
                event: 'relayRetry',
                message,
                delay,
              }),
            );
      if (reconnectMs === 0) {
        throw new CliError(`lost the connection to the relay ${formatUri(relay)}`, EXIT.connection);
      }
    } catch (e) {
      failure = e instanceof CliError ? e : classify(e, 'connect', formatUri(relay));
      break;
    }
    if (!next) break;
    listener = next;
    serving.push(serve(listener.session));
  }
  await closeAfterArrived(listener.endpoint, pending, 3000);
  await within(Promise.all(serving), 1000);
  await within(Promise.allSettled(pending.keys()), 3000);
  if (failure) throw failure;
  return EXIT.ok;
}

/** A comma-separated list of media types (type/subtype, type/* or *), or undefined. */
function typesFlag(flag: string, value: string | undefined): string[] | undefined {
  const types = value?.split(',').map((t) => t.trim());
  if (types?.some((t) => !/^(\*|[^/\s]+\/(\*|[^/\s]+))$/.test(t))) {
    throw usage(`${flag}: expected type/subtype, type/* or *, got "${value}"`);
  }
  return types;
}

function uriOf(uri: MsrpUri | string): MsrpUri {
  return typeof uri === 'string' ? parseUri(uri) : uri;
}
