// `msrp chat`: lines from stdin go out as chat messages (CPIM with delivery and display
// notifications, or bare text with --plain), incoming ones are printed, typing is shown.
import { createInterface } from 'node:readline';
import {
  Chat,
  formatUri,
  IMDN_CONTENT_TYPE,
  IS_COMPOSING_CONTENT_TYPE,
  type Endpoint,
  type Session,
} from '@msrp-ts/msrp-core';
import { classify, EXIT, EXIT_CODES_HELP, usage } from './exit-codes.js';
import {
  msFlag,
  parseFlags,
  pathFlag,
  RELAY_FLAGS,
  relayHelp,
  relayFlags,
  tlsClientFlags,
  tlsServerFlags,
  uriFlag,
} from './flags.js';
import { oneLine, Output, terminalSafe } from './output.js';
import { onSignal, within } from './shutdown.js';
import { KEEPALIVE_HELP } from './keepalive.js';
import { printAbove } from './chat-screen.js';
import { showChat } from './chat-view.js';
import { openListener } from './listener.js';
import { clientEndpoint, connectSession, defaultFrom } from './send.js';

/**
 * A chat reads lines, bare or in CPIM, their notifications and is-composing: any other type
 * (a file) is answered 415 (RFC 4975 §7.3). A text file is answered once read
 * (confirmWhenRead): it is not, so its sender gets 413 and is never told it was delivered.
 */
const CHAT_SESSION = {
  acceptTypes: ['message/cpim', 'text/*', IS_COMPOSING_CONTENT_TYPE, IMDN_CONTENT_TYPE],
  confirmWhenRead: true,
};

export const CHAT_HELP = `Usage: msrp chat --to URI [options]
       msrp chat --listen --uri URI [options]

Interactive text chat, the way RCS and other chat apps speak it. Each line read from
stdin is sent as a chat message: in CPIM (message/cpim) asking for delivery and display
notifications, or as bare text/plain with --plain. Each message received (CPIM or bare)
is printed on stdout as "< text". End of input (Ctrl-D) ends the session and exits 0
(1 if a line was not delivered); so does the peer closing the session (with --to).
Files are refused (415, or 413 for a text file), so that their sender is not told they
were delivered: use msrp listen.

Notifications and typing are shown as status lines (stderr):
  msrp chat: ✓ delivered: TEXT     the peer got the line we sent
  msrp chat: ✓✓ read: TEXT         the peer displayed it
  msrp chat: the peer is typing…   (on a terminal: "(typing…)" in the prompt)
  msrp chat: the peer stopped typing
We say we are typing when keys are pressed (piped input: when a partial line arrives),
and idle after 15 s without. A line printed on a terminal is answered "displayed" (✓✓ on
the peer's side); printed to a pipe or file, only "delivered" (see --mark-displayed).

With --listen, waits for a peer (e.g. another \`msrp chat --to\`) on URI and prints
"listening URI" as the first line of stdout; lines typed before a peer is connected
are sent once one is. When the peer leaves, the next one may connect. At end of input,
lines not sent yet wait for a peer up to --timeout (default 30 s); any still unsent then
are reported on stderr and the exit code is 4.

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
  --plain           bare text/plain messages, no CPIM, notifications or is-composing:
                    for peers that want only text (e.g. msrp listen --accept-types text/plain)
  --mark-displayed  answer "displayed" for each line printed even when stdout is not a
                    terminal (a program showing our output to its user)
  --json            one JSON object per line on stdout instead of text: events "listening",
                    "connected", "disconnected", "message" (text, messageId, and the CPIM
                    from, to, dateTime, imdnMessageId), "sent" (messageId, text),
                    "delivered", "displayed", "failed" (messageId, text), "composing",
                    "idle", "error"
${relayHelp(20)}
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
  plain: { type: 'boolean' },
  'mark-displayed': { type: 'boolean' },
  json: { type: 'boolean' },
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

export async function chatCommand(args: readonly string[]): Promise<number> {
  const values = parseFlags(args, FLAGS);
  if (values.help) {
    process.stdout.write(`${CHAT_HELP}\n`);
    return EXIT.ok;
  }
  const out = new Output('msrp chat', values.json ?? false);
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
      CHAT_SESSION,
      out,
      { relays, relayTls, timeout },
    );
    ({ endpoint, session } = listener);
  } else {
    if (values.uri !== undefined) throw usage('--uri goes with --listen; use --to to connect');
    if (values['tls-cert'] !== undefined || values['tls-key'] !== undefined) {
      throw usage('--tls-cert and --tls-key are for --listen');
    }
    const toPath = pathFlag('--to', values.to);
    const to = toPath[toPath.length - 1]!;
    const from =
      values.from === undefined ? defaultFrom(toPath, relays) : uriFlag('--from', values.from);
    const tls = tlsClientFlags(values);
    ({ endpoint, session } = await connectSession(
      () => clientEndpoint(timeout, tls, relays),
      { localUri: from, ...CHAT_SESSION },
      toPath,
    ));
    out.status(`connected to ${formatUri(to)}`, { event: 'connected', to: formatUri(to) });
  }

  // On a terminal: a prompt, and incoming lines printed above the line being typed.
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const input = createInterface({
    input: process.stdin,
    crlfDelay: Infinity,
    ...(tty && { output: process.stdout, prompt: '> ' }),
  });
  const show = (stream: NodeJS.WriteStream, text: string): void => {
    const safe = terminalSafe(text, stream);
    if (tty) printAbove(input, stream, safe);
    else stream.write(`${safe}\n`);
  };
  out.writeStatus = (line) => show(process.stderr, line);
  if (tty) input.prompt();

  let ending = false;
  // Both sides are ours: CPIM with notifications unless --plain (bare text, no is-composing).
  const plain = values.plain ?? false;
  const chat = new Chat(session, { cpim: !plain, isComposing: !plain });
  const sent = showChat(chat, out, {
    show: (text) => show(process.stdout, text),
    setTyping: tty
      ? (typing) => {
          input.setPrompt(typing ? '(typing…) > ' : '> ');
          input.prompt(true);
        }
      : undefined,
    // RFC 5438 §7.2: displayed means the user saw it; piped output is only delivered.
    markDisplayed: tty || (values['mark-displayed'] ?? false),
    // A composing status or notification cut off by our own ending is no error to report.
    quiet: () => ending,
  });
  const typing = (): void => {
    if (session.state === 'bound') chat.typing();
  };
  if (tty) {
    // A key that writes something is typing; Enter, Ctrl-D and other control keys are not.
    process.stdin.on('keypress', (text: string | undefined) => {
      if (text !== undefined && [...text].some((c) => c >= ' ' && c !== '\x7f')) typing();
    });
  } else {
    // Piped input: a partial line (text after the last newline) is the user typing.
    process.stdin.on('data', (chunk: Buffer | string) => {
      if (!String(chunk).endsWith('\n')) typing();
    });
  }

  // Lines read and not yet through (sent or failed): at end of input, those that outlast the wait.
  let unsent = 0;
  // Lines the peer refused, or that failed on the way: a script piping lines in is told (exit 1).
  let failed = 0;
  const wait = timeout ?? 30_000;
  const finished = new Promise<'input' | 'other'>((resolve) => {
    onSignal(() => resolve('other'));
    // Without --listen the session ends with its connection: the peer has left.
    if (!values.listen) {
      session.once('close', () => {
        if (!ending) out.status('the peer closed the session', { event: 'closed' });
        resolve('other');
      });
    }
    let sending = Promise.resolve();
    input.on('line', (line) => {
      if (tty) input.prompt();
      if (line === '') return;
      unsent++;
      sending = sending.then(async () => {
        if (!(await whenBound(session))) return;
        try {
          const message = chat.send(line);
          sent(message.messageId, line);
          await message.sent;
        } catch (e) {
          failed++;
          out.error(`not delivered: ${oneLine(classify(e, 'deliver', '').message)}`);
        } finally {
          unsent--;
        }
      });
    });
    // End of input: let the lines already read go out, then end.
    input.on('close', () => void within(sending, wait).then(() => resolve('input')));
  });

  const end = await finished;
  // Lines still waiting when the wait ran out are dropped: a script piping them in must not
  // be told (exit 0, no word) that they went out. A signal or the peer leaving ends by choice.
  const left = end === 'input' ? unsent : 0;
  ending = true;
  if (left > 0) {
    const why = session.state === 'bound' ? 'no response' : 'no peer connected';
    out.error(`${left} line${left === 1 ? '' : 's'} not sent: ${why} within ${wait} ms`, {
      unsent: left,
    });
  }
  chat.close();
  await within(endpoint.close(), 3000);
  input.close();
  return left > 0 ? EXIT.timeout : failed > 0 ? EXIT.failed : EXIT.ok;
}
