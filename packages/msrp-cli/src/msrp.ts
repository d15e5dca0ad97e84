#!/usr/bin/env node
// The `msrp` command: an MSRP (RFC 4975) endpoint for the shell.
// Only this file, cli-error.js and output.js load before a command is chosen: each command
// (and the library it needs) is imported when run, so `msrp --help` starts in ~70 ms, not ~200.
import { CliError, EXIT, EXIT_CODES_HELP } from './cli-error.js';
import { oneLine, terminalSafe } from './output.js';
import { packageVersion } from './version.js';

interface Command {
  run: (args: readonly string[]) => Promise<number>;
  help: string;
  /** Whether it takes --json: its errors are JSON events on stdout then. */
  json: boolean;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  listen: async () => {
    const m = await import('./listen.js');
    return { run: m.listenCommand, help: m.LISTEN_HELP, json: true };
  },
  send: async () => {
    const m = await import('./send.js');
    return { run: m.sendCommand, help: m.SEND_HELP, json: true };
  },
  chat: async () => {
    const m = await import('./chat.js');
    return { run: m.chatCommand, help: m.CHAT_HELP, json: true };
  },
  sdp: async () => {
    const m = await import('./sdp.js');
    return { run: m.sdpCommand, help: m.SDP_HELP, json: false };
  },
};

const HELP = `Usage: msrp <command> [options]

An MSRP (RFC 4975) endpoint: receive, send and chat over msrp:// and msrps:// (TLS).

Commands:
  listen   wait for peers; print text messages, store files
           msrp listen --uri 'msrp://127.0.0.1:2855/inbox;tcp' --out ./received
  send     send one text message or file and wait until it is confirmed
           msrp send --to 'msrp://127.0.0.1:2855/inbox;tcp' --file photo.jpg
  chat     interactive text chat, as the connecting or the listening side
           msrp chat --to 'msrp://127.0.0.1:2855/inbox;tcp'
  sdp      read the SDP of a SIP INVITE: print its MSRP media, or the answer to it
           msrp sdp answer --uri 'msrp://192.0.2.7:2855/s1;tcp' invite.txt
  help     show the help of a command: msrp help send

Run \`msrp <command> --help\` for its options, \`msrp --version\` for the version.
Quote URIs in a shell: their ";tcp" would otherwise end the command. --json (listen,
send, chat) prints one JSON object per line for scripts. Errors are one line on stderr.

${EXIT_CODES_HELP}`;

/** Runs the command line `args` (without node and the script); returns the exit code. */
async function main(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    process.stderr.write(`${HELP}\n`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`msrp ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (name === 'help') {
    const topic = rest[0];
    const load =
      topic !== undefined && Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
    if (topic !== undefined && !load) return fail('msrp', `unknown command "${topic}"`, EXIT.usage);
    process.stdout.write(`${(await load?.())?.help ?? HELP}\n`);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    return fail(
      'msrp',
      `unknown command "${name}" (commands: listen, send, chat, sdp; see msrp --help)`,
      EXIT.usage,
    );
  }
  let command: Command | undefined;
  try {
    command = await load();
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      const hint = e.exitCode === EXIT.usage ? ` (see msrp ${name} --help)` : '';
      if (command?.json && rest.includes('--json')) {
        const event = {
          event: 'error',
          message: oneLine(e.message),
          exitCode: e.exitCode,
          ...e.details,
        };
        process.stdout.write(`${JSON.stringify(event)}\n`);
      }
      return fail(`msrp ${name}`, `${e.message}${hint}`, e.exitCode);
    }
    return fail(`msrp ${name}`, `internal error: ${(e as Error).message}`, EXIT.failed);
  }
}

function fail(prefix: string, message: string, code: number): number {
  process.stderr.write(`${terminalSafe(`${prefix}: ${oneLine(message)}`, process.stderr)}\n`);
  return code;
}

// A closed stdout (`msrp listen | head -1`) is not an error worth a stack trace. It ends the
// command with 0, but for send: its transfer goes on without output, and its exit code says
// how that ended (`msrp send --json | head -1` exited 0 with the file cut at its first
// progress line).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  if (process.argv[2] !== 'send') process.exit(EXIT.ok);
});
// Status lines on a closed stderr are dropped: unhandled, the EPIPE ended a listener with 1.
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

process.exit(await main(process.argv.slice(2)));
