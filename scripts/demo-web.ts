// `pnpm demo:web`: the web chat (examples/web-chat). A relay listening on WebSocket (for
// pages) and TCP (for `msrp` commands) with embedded demo accounts, and the chat page on an
// HTTP server; prints the URL to open and the accounts. Ctrl-C or SIGTERM stops it.
// Usage: pnpm demo:web [--host 127.0.0.1] [--port 0] [--ws-port 0] [--tcp-port 0]
import { parseArgs } from 'node:util';
import { formatUri } from '@msrp-ts/msrp-core';
import { startWebChat } from '../examples/web-chat/server.js';

const HELP = `Usage: pnpm demo:web [--host ADDR] [--port N] [--ws-port N] [--tcp-port N] [--public-host NAME]

Starts the web chat: an MSRP relay with demo accounts, listening on WebSocket for web pages
and on TCP for the msrp command, and the chat page. Open the printed URL in two tabs, sign in
as two users with the same room, and chat. Ctrl-C stops it.

  --host ADDR         address to bind (env MSRP_DEMO_HOST). Default 127.0.0.1
  --port N            HTTP port of the page (env MSRP_DEMO_PORT). Default 0: a free one
  --ws-port N         the relay's WebSocket port (env MSRP_DEMO_WS_PORT). Default 0
  --tcp-port N        the relay's TCP port (env MSRP_DEMO_TCP_PORT). Default 0
  --public-host NAME  host name browsers reach this machine by, when --host is 0.0.0.0
  -h, --help          show this help`;

/** A mistake on the command line: one line on stderr and exit 2, never a stack trace. */
function usageError(message: string): never {
  process.stderr.write(`demo:web: ${message} (see pnpm demo:web --help)\n`);
  process.exit(2);
}

function flags() {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      options: {
        host: { type: 'string', default: process.env['MSRP_DEMO_HOST'] ?? '127.0.0.1' },
        port: { type: 'string', default: process.env['MSRP_DEMO_PORT'] ?? '0' },
        'ws-port': { type: 'string', default: process.env['MSRP_DEMO_WS_PORT'] ?? '0' },
        'tcp-port': { type: 'string', default: process.env['MSRP_DEMO_TCP_PORT'] ?? '0' },
        'public-host': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    }
    return values;
  } catch (e) {
    return usageError((e as Error).message.split('\n')[0]!);
  }
}

function portOf(flag: string, text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) usageError(`--${flag} must be a port, not "${text}"`);
  return port;
}

const values = flags();
const chat = await startWebChat({
  host: values.host,
  port: portOf('port', values.port),
  wsPort: portOf('ws-port', values['ws-port']),
  tcpPort: portOf('tcp-port', values['tcp-port']),
  ...(values['public-host'] !== undefined && { publicHost: values['public-host'] }),
}).catch((e: Error) => usageError(`cannot start: ${e.message}`));

const say = (line: string): void => void process.stdout.write(`${line}\n`);
say(`web chat  ${chat.url}`);
say(`relay     ${formatUri(chat.relay.ws)} (pages), ${formatUri(chat.relay.tcp)} (msrp command)`);
say(`accounts  ${chat.users.map((u) => `${u.username} / ${u.password}`).join(', ')}`);
say('');
say('Open the URL in two tabs and sign in as two users in the same room; or chat with a');
say('terminal: the page shows the command while it waits. Ctrl-C stops the demo.');

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) process.exit(130); // a second signal: at once
  stopping = true;
  say(`\n${signal}: stopping`);
  chat.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
