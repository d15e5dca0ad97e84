// `msrp chat`: lines from stdin go out as text/plain messages, incoming ones are printed.
import { createInterface } from 'node:readline';
import {
  formatContentType,
  formatUri,
  type Endpoint,
  type IncomingMessage,
  type Session,
} from '@msrp-ts/msrp-core';
import { classify, EXIT, EXIT_CODES_HELP, usage } from './exit-codes.js';
import {
  msFlag,
  parseFlags,
  pathFlag,
  RELAY_FLAGS,
  RELAY_HELP,
  relayFlags,
  tlsClientFlags,
  tlsServerFlags,
  uriFlag,
} from './flags.js';
import { oneLine, Output } from './output.js';
import { onSignal, within } from './shutdown.js';
import { dropKeepalive, isKeepalive, KEEPALIVE_HELP } from './keepalive.js';
import { printAbove } from './chat-screen.js';
import { openListener } from './listen.js';
import { isText } from './receive.js';
import { clientEndpoint, connectSession, defaultFrom } from './send.js';

export const CHAT_HELP = `Usage: msrp chat --to URI [options]
       msrp chat --listen --uri URI [options]

Interactive text chat. Each line read from stdin is sent as a text/plain message;
each message received is printed on stdout as "< text". End of input (Ctrl-D) ends
the session and exits 0; so does the peer closing the session (with --to).

With --listen, waits for a peer (e.g. another \`msrp chat --to\`) on URI and prints
"listening URI" as the first line of stdout; lines typed before a peer is connected
are sent once one is. When the peer leaves, the next one may connect.

Options:
  --to URI          the session URI of the peer, e.g. 'msrp://127.0.0.1:2855/chat;tcp'
  --from URI        our own session URI (with --to). Default: a random .invalid
                    host and session-id (nothing listens here)
  --listen          wait for the peer instead of connecting to it
  --uri URI         with --listen: the session URI to listen on (port 0: any free port)
  --fingerprint FP  msrps: the SHA-256 fingerprint the certificate of the peer (--to) or
                    of the relay (--listen --relay) must have
  --ca FILE         msrps: PEM CA certificates to verify the peer or the relay against
  --tls-cert FILE   with --listen: PEM certificate, listen for msrps (TLS)
  --tls-key FILE    with --listen: PEM private key of --tls-cert
  --timeout MS      give up connecting, or waiting for a response, after MS milliseconds
${RELAY_HELP}
  -h, --help        show this help

Status lines (connected, disconnected, undelivered messages) go to stderr.
${KEEPALIVE_HELP}

${EXIT_CODES_HELP}`;

const FLAGS = {
  to: { type: 'string' },
  from: { type: 'string' },
  listen: { type: 'boolean' },
  uri: { type: 'string' },
  fingerprint: { type: 'string' },
  ca: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...RELAY_FLAGS,
} as const;

/** Resolves true once the session is bound, false if it closes first. */
function whenBound(session: Session): Promise<boolean> {
  if (session.state === 'bound') return Promise.resolve(true);
  if (session.state === 'closed') return Promise.resolve(false);
  return new Promise((resolve) => {
    const bound = (): void => done(true);
    const closed = (): void => done(false);
    const done = (result: boolean): void => {
      session.off('bound', bound);
      session.off('close', closed);
      resolve(result);
    };
    session.once('bound', bound);
    session.once('close', closed);
  });
}

/** How an incoming message is shown: its text, each line prefixed with "< ". */
export function showMessage(message: IncomingMessage): string {
  if (isText(message) && !message.aborted) {
    const text = message.text().replace(/\r?\n$/, '');
    return text
      .split(/\r?\n/)
      .map((line) => `< ${line}`)
      .join('\n');
  }
  const type = message.contentType ? formatContentType(message.contentType) : 'no content type';
  const name = message.filename === undefined ? '' : ` ${JSON.stringify(message.filename)}`;
  const size = message.size ?? message.received;
  const state = message.aborted ? 'aborted' : 'not shown';
  return `< [${type}${name}, ${size} bytes: ${state}]`;
}

export async function chatCommand(args: readonly string[]): Promise<number> {
  const values = parseFlags(args, FLAGS);
  if (values.help) {
    process.stdout.write(`${CHAT_HELP}\n`);
    return EXIT.ok;
  }
  const out = new Output('msrp chat', false);
  const timeout = msFlag('--timeout', values.timeout);
  const relays = relayFlags(values);
  let endpoint: Endpoint;
  let session: Session;
  if (values.listen) {
    if (values.to !== undefined) throw usage('--listen and --to exclude each other');
    const relayTls = tlsClientFlags(values);
    if (relayTls && !relays) throw usage('--fingerprint and --ca go with --to or --relay');
    const listener = await openListener(
      values.uri === undefined && relays ? undefined : uriFlag('--uri', values.uri),
      tlsServerFlags(values),
      {},
      out,
      { relays, relayTls },
    );
    ({ endpoint, session } = listener);
  } else {
    if (values.uri !== undefined) throw usage('--uri goes with --listen; use --to to connect');
    if (values['tls-cert'] !== undefined || values['tls-key'] !== undefined) {
      throw usage('--tls-cert and --tls-key are for --listen');
    }
    const toPath = pathFlag('--to', values.to);
    const to = toPath[toPath.length - 1]!;
    const from = values.from === undefined ? defaultFrom(to) : uriFlag('--from', values.from);
    const tls = tlsClientFlags(values);
    ({ endpoint, session } = await connectSession(
      () => clientEndpoint(timeout, tls, relays),
      { localUri: from },
      toPath,
    ));
    out.status(`connected to ${formatUri(to)}`, {});
  }

  // On a terminal: a prompt, and incoming lines printed above the line being typed.
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const input = createInterface({
    input: process.stdin,
    crlfDelay: Infinity,
    ...(tty && { output: process.stdout, prompt: '> ' }),
  });
  const show = (stream: NodeJS.WriteStream, text: string): void => {
    if (tty) printAbove(input, stream, text);
    else stream.write(`${text}\n`);
  };
  out.writeStatus = (line) => show(process.stderr, line);
  if (tty) input.prompt();

  let ending = false;
  const finished = new Promise<void>((resolve) => {
    onSignal(() => resolve());
    // Without --listen the session ends with its connection: the peer has left.
    if (!values.listen) {
      session.once('close', () => {
        if (!ending) out.status('the peer closed the session', {});
        resolve();
      });
    }
    let sending = Promise.resolve();
    input.on('line', (line) => {
      if (tty) input.prompt();
      if (line === '') return;
      sending = sending.then(async () => {
        if (!(await whenBound(session))) return;
        try {
          await session.send(line);
        } catch (e) {
          out.error(`not delivered: ${oneLine(classify(e, 'deliver', '').message)}`);
        }
      });
    });
    // End of input: let the lines already read go out, then end.
    input.on('close', () => void within(sending, timeout ?? 30_000).then(resolve));
  });

  const reading = (async () => {
    for await (const message of session) {
      if (isKeepalive(message)) {
        dropKeepalive(message);
        continue;
      }
      show(process.stdout, showMessage(message));
      // Files are not shown: drain them so the connection keeps flowing.
      void message.drain();
    }
  })();

  await finished;
  ending = true;
  await within(endpoint.close(), 3000);
  await within(reading, 1000);
  input.close();
  return EXIT.ok;
}
