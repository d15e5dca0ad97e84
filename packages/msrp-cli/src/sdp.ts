// `msrp sdp`: reads a SIP message or bare SDP and prints its MSRP media as JSON (inspect),
// or the SDP answer we would send to it (answer).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatUri } from '@msrp-ts/msrp-core';
import {
  createAnswer,
  extractSdp,
  parseMsrpMedia,
  parseSdp,
  SdpError,
  type AnswerCapabilities,
} from '@msrp-ts/sdp-msrp';
import { CliError, EXIT, EXIT_CODES_HELP, usage } from './exit-codes.js';
import { parseArgsError, sizeFlag, tlsClientFlags, uriFlag } from './flags.js';
import { terminalSafe } from './output.js';
import { heldFlag, sdpResumeOffer, serveFileFlag, SDP_RESUME_HELP } from './sdp-resume.js';
import { stdinIsDirectory } from './std-input.js';

export const SDP_HELP = `Usage: msrp sdp inspect [FILE|-]
       msrp sdp answer --uri URI [options] [FILE|-]
       msrp sdp resume --uri URI (--part FILE | --held N) [FILE|-]

Reads a SIP message (INVITE, 200 OK...; multipart bodies too) or bare SDP from FILE, or
from standard input when FILE is - or absent.

  inspect  print the MSRP media of the SDP as JSON: proto, port, path, accept-types,
           max-size, setup, CEMA, fingerprints, direction and the RFC 5547 file
  answer   print the SDP answer to the offer on stdout (RFC 3264, RFC 4975 §8); when the
           MSRP stream cannot be accepted the answer rejects it (port 0), the reason goes
           to stderr and the exit code is 1
${SDP_RESUME_HELP}

Answer options:
  --uri URI              our session URI for a=path, e.g. 'msrp://192.0.2.7:2855/s1;tcp'
  --accept-types TYPES   types we accept, comma- or space-separated. Default *
  --wrapped-types TYPES  types we accept inside message/cpim
  --max-size N           a=max-size: largest message we accept (k, M suffixes allowed)
  --setup ROLE           active or passive: our choice when the offer says actpass
                         (RFC 6135). Default passive: the offerer connects
  --cema                 answer a=msrp-cema when offered (RFC 6714)
  --fingerprint FP       our certificate's fingerprint for msrps ("SHA-256 AB:CD:...")
  --file PATH            serve PATH to a pull offer for it (e.g. a resume offer)
  -h, --help             show this help

${EXIT_CODES_HELP}
  (sdp: 1 also when the input has no SDP, malformed SDP, or the stream is rejected)`;

async function readInput(source: string | undefined): Promise<string> {
  if (source === undefined || source === '-') {
    // Read as empty, it was "Neither a SIP message nor SDP" (exit 1), where a directory named
    // as the file is a usage error.
    if (stdinIsDirectory()) throw usage('standard input is a directory');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(source, 'utf8');
  } catch (e) {
    throw usage(
      `cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function typesFlag(flag: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const types = text.split(/[\s,]+/).filter((t) => t !== '');
  if (types.length === 0 || types.some((t) => !/^(\*|[^/\s]+\/(\*|[^/\s]+))$/.test(t))) {
    throw usage(`${flag}: expected type/subtype, type/* or *, got "${text}"`);
  }
  return types;
}

const FLAGS = {
  uri: { type: 'string' },
  'accept-types': { type: 'string' },
  'wrapped-types': { type: 'string' },
  'max-size': { type: 'string' },
  setup: { type: 'string' },
  cema: { type: 'boolean' },
  fingerprint: { type: 'string' },
  part: { type: 'string' },
  file: { type: 'string' },
  held: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(
  args: readonly string[],
): ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options: FLAGS, strict: true, allowPositionals: true });
  } catch (e) {
    throw usage(parseArgsError(e));
  }
}

/** Runs `msrp sdp ...`; returns the exit code. */
export async function sdpCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args);
  const [action, file, ...extra] = positionals;
  if (values.help || action === undefined) {
    if (!values.help) throw usage('expected "inspect", "answer" or "resume"');
    process.stdout.write(`${SDP_HELP}\n`);
    return EXIT.ok;
  }
  if (action !== 'inspect' && action !== 'answer' && action !== 'resume') {
    throw usage(`unknown action "${action}" (expected inspect, answer or resume)`);
  }
  if (extra.length > 0) throw usage(`unexpected argument "${extra[0]}"`);
  if (action === 'inspect') {
    for (const flag of Object.keys(values))
      if (flag !== 'help') throw usage(`--${flag} is for msrp sdp answer`);
  }
  // Flags are checked before anything is read, so that a typo does not wait on stdin.
  if (action === 'resume') {
    for (const flag of Object.keys(values))
      if (!['help', 'uri', 'part', 'held'].includes(flag))
        throw usage(`--${flag} is for msrp sdp answer`);
    const localUri = uriFlag('--uri', values.uri);
    const held = await heldFlag(values.part, values.held);
    const input = await readInput(file);
    try {
      writeSdp(sdpResumeOffer(extractSdp(input), localUri, held));
      return EXIT.ok;
    } catch (e) {
      if (e instanceof SdpError) throw new CliError(e.message, EXIT.failed, { code: e.code });
      throw e;
    }
  } else if (values.part !== undefined || values.held !== undefined) {
    throw usage('--part and --held are for msrp sdp resume');
  }
  const answerOptions: AnswerCapabilities | undefined =
    action === 'answer'
      ? {
          localUri: uriFlag('--uri', values.uri),
          acceptTypes: typesFlag('--accept-types', values['accept-types']) ?? ['*'],
          ...(values['wrapped-types'] !== undefined && {
            wrappedTypes: typesFlag('--wrapped-types', values['wrapped-types'])!,
          }),
          ...(values['max-size'] !== undefined && {
            maxSize: sizeFlag('--max-size', values['max-size'])!,
          }),
          ...(values.setup !== undefined && { setup: setupFlag(values.setup) }),
          ...(values.cema && { cema: true }),
          ...(values.fingerprint !== undefined && {
            fingerprint: `SHA-256 ${tlsClientFlags({ fingerprint: values.fingerprint })!.fingerprint!}`,
          }),
          ...(values.file !== undefined && { serveFile: await serveFileFlag(values.file) }),
        }
      : undefined;
  const input = await readInput(file);
  try {
    const text = extractSdp(input);
    if (!answerOptions) {
      const media = parseMsrpMedia(parseSdp(text)).map((m) => ({
        ...m,
        path: m.path.map((uri) => formatUri(uri)),
      }));
      process.stdout.write(`${JSON.stringify({ media }, null, 2)}\n`);
      return EXIT.ok;
    }
    const answer = createAnswer(text, answerOptions);
    writeSdp(answer.sdp);
    if (!answer.accepted)
      throw new CliError(`stream rejected: ${answer.reason ?? 'unknown reason'}`, EXIT.failed);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof SdpError) throw new CliError(e.message, EXIT.failed, { code: e.code });
    throw e;
  }
}

function setupFlag(text: string): 'active' | 'passive' {
  if (text !== 'active' && text !== 'passive') {
    throw usage(`--setup must be active or passive, not "${text}"`);
  }
  return text;
}

/** Prints an SDP we made: it carries what the offer said (a file's name), shown safe on a terminal. */
function writeSdp(sdp: string): void {
  process.stdout.write(
    sdp
      .split('\r\n')
      .map((line) => terminalSafe(line, process.stdout))
      .join('\r\n'),
  );
}
