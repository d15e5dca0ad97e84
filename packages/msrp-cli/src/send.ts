// `msrp send`: connects to a listening peer, sends one text message or file, and reports.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Endpoint,
  MsrpError,
  formatUri,
  newSessionId,
  unreachableHost,
  parseContentType,
  type CreateSessionOptions,
  type Delivery,
  type ReceivedReport,
  type MsrpUri,
  type RelayAccount,
  type Session,
  type TlsClientOptions,
} from '@msrp-ts/msrp-core';
import { classify, CliError, EXIT, EXIT_CODES_HELP, usage } from './exit-codes.js';
import {
  msFlag,
  parseFlags,
  pathFlag,
  RELAY_FLAGS,
  relayHelp,
  relayFlags,
  sizeFlag,
  tlsClientFlags,
  uriFlag,
} from './flags.js';
import { Output } from './output.js';
import { onSignal, within } from './shutdown.js';
import { formatRate, ProgressReporter } from './progress.js';
import { RESUME_ANSWER_MS, sendResuming } from './resume-send.js';
import { sendName } from './send-name.js';
import { stdinIsDirectory } from './std-input.js';

export const SEND_HELP = `Usage: msrp send --to URI (--text TEXT | --file PATH) [options]

Connects to the MSRP session URI of a listening peer (e.g. \`msrp listen\`), sends one
text message or one file, waits until the peer has confirmed every chunk (and sent
the success REPORT with --report), prints a one-line summary and exits 0 only then.

Options:
  --to URI            the session URI of the peer, 'msrp://host:port/session;tcp' (msrps
                      for TLS); behind relays, its whole path in quotes: 'URI URI ...'
  --from URI          our own session URI (From-Path). Default: a random .invalid
                      host and session-id (nothing listens here)
  --text TEXT         send TEXT (not empty) as text/plain;charset=utf-8
  --file PATH         send a file (Content-Type from its name, SHA-256 announced); when the
                      peer is an \`msrp listen\` that holds part of this file from a broken
                      transfer, only the rest is sent (see Resume below). - reads
                      standard input to its end (a pipe: size unknown, never resumed)
  --name NAME         the file name the peer is given (Content-Disposition). Default:
                      the base name of --file; "stdin" for --file -. It goes in the head
                      of every chunk, which a peer takes up to 16 KiB: about 15000 bytes
  --no-resume         send the whole file, without offering to resume
  --content-type T    Content-Type instead of the default
  --chunk-size N      body bytes per chunk (k, M suffixes allowed). Default 8192, which
                      crosses relays that cap bodies (Kamailio's drops them over 10 KiB);
                      a file straight to an \`msrp listen\` (no relay, the listener
                      answered the offer) goes in 64k chunks: 10-15 % faster
  --report            ask for a success REPORT and wait for it (the default with --relay)
  --no-report         with --relay: do not ask for a success REPORT; the summary then says
                      "accepted by the relay" (the first relay took every chunk; whether
                      the peer got them is unknown), still with exit 0
  --fingerprint FP    msrps: accept the peer's certificate if and only if its SHA-256
                      fingerprint is FP ("SHA-256 AB:CD:..." or hex, as listen prints it)
  --ca FILE           msrps: PEM CA certificates to verify the peer against
  --timeout MS        give up connecting, or waiting for any response, after MS
                      milliseconds. Default: 10000 to connect, 30000 per response
${relayHelp(22)}
  --json              one JSON object per line on stdout: {"event":"connected"}, for
                      files {"event":"progress","bytes","total","rate"} at most once a
                      second, then {"event":"delivered",...} or {"event":"error",...};
                      {"event":"retry"} when the peer's session was busy (506);
                      {"event":"resume","offset","size"} when the peer holds a part;
                      {"event":"resume-refused","offset","size"} when that part was of
                      another file (its hash did not match) and the file goes again whole
  -h, --help          show this help

A progress bar is drawn on stderr for files when stderr is a terminal (not with --json).
A peer whose session is still bound to a previous sender answers 506: send retries
for up to 5 seconds.

Resume: before a file, send offers it in a small message (application/x-msrp-file-offer:
RFC 5547 a=file-selector with name, type and size, a=file-date with its modification
date, a new a=file-transfer-id). \`msrp listen\` answers with the a=file-range it misses;
send then sends only those bytes (the chunks' Byte-Range starts there) and the listener
checks the SHA-256 of the whole file. A part of another file of the same name, size and
date fails that check: the listener drops it and send sends the whole file again, once.
A peer that does not answer within ${RESUME_ANSWER_MS / 1000} s gets the whole file. A broken transfer exits
3 (connection lost, or the peer's session closed under it), 4 (stalled: no response within
--timeout, e.g. the listener stopped) or 130 (interrupted): run the same command again to
send the rest.

${EXIT_CODES_HELP}`;

const FLAGS = {
  to: { type: 'string' },
  from: { type: 'string' },
  text: { type: 'string' },
  file: { type: 'string' },
  name: { type: 'string' },
  'no-resume': { type: 'boolean' },
  'content-type': { type: 'string' },
  'chunk-size': { type: 'string' },
  report: { type: 'boolean' },
  'no-report': { type: 'boolean' },
  fingerprint: { type: 'string' },
  ca: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...RELAY_FLAGS,
} as const;

/** How long to retry a peer that answers 506 (its session is still bound to a previous sender). */
const BUSY_RETRY_MS = 5000;

/**
 * The window of `msrp send` (chunks up to 256 KiB): 2 MiB, not the library's 4. Its transfer
 * is bound by SHA-256 and the disk (~400 MB/s here), which 2 MiB covers for ~5 ms, and a
 * wider one only holds more of the file in both processes (issue 12, 1 GiB, 3 rounds each:
 * `msrp listen` peaked at 58.7-60.9 MiB with 2 MiB, 60.2-63.2 with 4, the goal being 64).
 */
const SEND_WINDOW = 2 * 1024 * 1024;

/**
 * Body bytes per chunk of a file sent straight to an `msrp listen` (no relay, which may drop
 * bodies over 10 KiB, and the peer answered the offer), without --chunk-size. Issue 12, 1 GiB
 * disk to disk with SHA-256, one bench run of 3 rounds each: 2.70 s against 2.99 s with 8
 * KiB, both processes' CPU 4.2 s against 4.7 (256 KiB: no faster than 64).
 */
const LISTEN_CHUNK_SIZE = 64 * 1024;

/**
 * Opens a session to `to` on a new endpoint. A `msrp listen` peer may still be bound to the
 * previous sender's connection for a moment after that one left, and answers 506 meanwhile:
 * retry briefly (reporting each retry through `onRetry`).
 *
 * Each attempt gets a fresh endpoint, so that a refused attempt leaves nothing behind (its
 * session, its connection) for the next one to trip over.
 */
export async function connectSession(
  makeEndpoint: () => Endpoint,
  options: CreateSessionOptions,
  to: readonly MsrpUri[],
  onRetry: (error: MsrpError) => void = () => undefined,
): Promise<{ endpoint: Endpoint; session: Session }> {
  const deadline = Date.now() + BUSY_RETRY_MS;
  const target = to[to.length - 1]!;
  for (;;) {
    const endpoint = makeEndpoint();
    try {
      // RFC 4976: with relays, AUTH first; the session then routes through them.
      if (endpoint.relays.length > 0) await endpoint.authenticate(options.localUri);
    } catch (e) {
      await within(endpoint.close(), 1000);
      const relay = endpoint.relays[0]?.uri;
      throw classify(e, 'connect', typeof relay === 'object' ? formatUri(relay) : String(relay));
    }
    const session = endpoint.createSession(options);
    try {
      await session.connect(to);
      return { endpoint, session };
    } catch (e) {
      await within(endpoint.close(), 1000);
      if (!(e instanceof MsrpError && e.status === 506 && Date.now() < deadline)) {
        throw classify(e, 'connect', formatUri(target));
      }
      onRetry(e);
      await sleep(100);
    }
  }
}

/**
 * Our URI when --from is not given: a fresh session-id, the scheme of the peer's, and a
 * random `.invalid` host since nothing listens here (see `unreachableHost`). When the first
 * hop (the first relay, else the first URI of `toPath`) is reached over WebSocket, its scheme
 * and the `ws` transport, as the Endpoint gives its own URIs (RFC 7977 §8.1.1).
 */
export function defaultFrom(
  toPath: readonly MsrpUri[],
  relays: readonly RelayAccount[] = [],
): MsrpUri {
  const first = relays[0]?.uri ?? toPath[0]!;
  const ws = typeof first !== 'string' && first.transport.toLowerCase() === 'ws';
  return {
    scheme: ws ? first.scheme : toPath.at(-1)!.scheme,
    host: unreachableHost(),
    port: 2855,
    sessionId: newSessionId(),
    transport: ws ? 'ws' : 'tcp',
    params: [],
  };
}

/** Endpoint options from --timeout and the TLS flags. */
export function clientEndpoint(
  timeout: number | undefined,
  tls: TlsClientOptions | undefined,
  relays?: readonly RelayAccount[],
): Endpoint {
  return new Endpoint({
    ...(tls && { tls }),
    ...(timeout !== undefined && { timeout, connectTimeout: timeout }),
    ...(relays && { relays }),
  });
}

export async function sendCommand(args: readonly string[]): Promise<number> {
  const values = parseFlags(args, FLAGS);
  if (values.help) {
    process.stdout.write(`${SEND_HELP}\n`);
    return EXIT.ok;
  }
  const out = new Output('msrp send', values.json ?? false);
  const toPath = pathFlag('--to', values.to);
  const to = toPath[toPath.length - 1]!;
  const relays = relayFlags(values);
  const from =
    values.from === undefined ? defaultFrom(toPath, relays) : uriFlag('--from', values.from);
  if (values.report && values['no-report'])
    throw usage('--report and --no-report exclude each other');
  // Through relays a 200 to a chunk only says that the first relay took it (RFC 4976 §6):
  // only the peer's success REPORT says it arrived, so ask for one unless told not to.
  const successReport = values.report === true || (relays !== undefined && !values['no-report']);
  if ((values.text === undefined) === (values.file === undefined)) {
    throw usage('give exactly one of --text and --file');
  }
  // An empty body is no message to a listener, which takes it for a keepalive: it would be
  // reported delivered and never be shown.
  if (values.text === '') throw usage('--text is empty: nothing to send');
  const contentType = values['content-type'];
  if (contentType !== undefined && !parseContentType(contentType)) {
    throw usage(`--content-type: not a media type: "${contentType}"`);
  }
  const chunkSize = sizeFlag('--chunk-size', values['chunk-size']);
  const timeout = msFlag('--timeout', values.timeout);
  const tls = tlsClientFlags(values);
  const file = values.file;
  // --file -: standard input, read to its end; its size is known only then.
  const stdin = file === '-';
  if (values.name !== undefined && file === undefined) throw usage('--name goes with --file');
  const name =
    file === undefined
      ? undefined
      : sendName(
          values.name,
          stdin ? 'stdin' : basename(file),
          [...toPath, from, ...(relays ?? []).map((r) => r.uri)],
          contentType,
        );
  // Node reads a directory on stdin (`< dir`, a typo) as empty: an empty file, exit 0.
  if (stdin && stdinIsDirectory()) throw usage('--file -: standard input is a directory');
  let fileInfo: { size: number; mtime: Date } | undefined;
  if (file !== undefined && !stdin) {
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a regular file');
      fileInfo = info;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw usage(`--file: cannot read ${file}: ${code ?? (e as Error).message}`);
    }
  }

  const abort = new AbortController();
  let connecting = true;
  let interrupt = (): void => undefined;
  const interrupted = new Promise<never>((_, reject) => {
    interrupt = () =>
      reject(new CliError(`interrupted while connecting to ${formatUri(to)}`, EXIT.interrupted));
  });
  onSignal(() => {
    // Before the transfer there is nothing to tell the peer: leave at once, with the error
    // line (and JSON event) every other end has; the connecting is left to process.exit.
    if (connecting) interrupt();
    else abort.abort();
  });
  const { endpoint, session } = await Promise.race([
    connectSession(
      () => clientEndpoint(timeout, tls, relays),
      {
        localUri: from,
        ...(chunkSize !== undefined && { chunkSize }),
        ...((chunkSize ?? 0) <= SEND_WINDOW / 8 && { maxInFlightBytes: SEND_WINDOW }),
      },
      toPath,
      (e) => out.event({ event: 'retry', status: e.status, message: e.message }),
    ),
    interrupted,
  ]);
  try {
    connecting = false;
    out.event({ event: 'connected', to: formatUri(to) });

    const progress =
      file === undefined
        ? undefined
        : out.json
          ? new ProgressReporter(process.stdout, 'json')
          : process.stderr.isTTY
            ? new ProgressReporter(process.stderr, 'bar')
            : undefined;
    const options = {
      ...(contentType !== undefined && { contentType }),
      ...(successReport && { successReport: true }),
      // --timeout bounds the wait for the success REPORT too (MSRP_ERR_REPORT_TIMEOUT: exit 4).
      ...(timeout !== undefined && { reportTimeout: timeout }),
      ...(progress && { onProgress: progress.update.bind(progress) }),
      signal: abort.signal,
    };
    // A failure REPORT that arrives after the 200s (from a relay further on) but before we
    // exit turns success into failure (RFC 4975 §7.1.2): the delivered message's, not that
    // of a try refused before it (a resume into a part of another file, sent again whole).
    const failureReports: ReceivedReport[] = [];
    session.on('report', (report) => {
      // A few messages are ours (an offer, a try or two): a peer's flood is not kept.
      if (report.status.code !== 200 && failureReports.length < 16) failureReports.push(report);
    });
    const started = performance.now();
    let delivery: Delivery;
    let sha256: string | undefined;
    let offset = 0;
    try {
      if (file === undefined) {
        delivery = await session.send(values.text!, options);
      } else {
        const resumable =
          !values['no-resume'] && fileInfo && fileInfo.size > 0
            ? { name: name!, size: fileInfo.size, type: contentType, modified: fileInfo.mtime }
            : undefined;
        // Larger chunks only where no relay may cap them: straight to an `msrp listen`.
        const direct = chunkSize === undefined && relays === undefined && toPath.length === 1;
        const sent = await sendResuming(session, resumable, out, (from, listening) =>
          session.sendFile(stdin ? process.stdin : file, {
            ...options,
            name: name!,
            ...(from > 0 && { offset: from }),
            ...(direct && listening && { chunkSize: LISTEN_CHUNK_SIZE }),
          }),
        );
        ({ offset } = sent);
        delivery = sent.delivery;
        sha256 = sent.delivery.hash.replace(/^sha-256:/, '');
      }
    } finally {
      progress?.finish();
    }
    const seconds = (performance.now() - started) / 1000;
    // Without a success REPORT, a bodiless SEND's 200 tells that the peer's REPORTs sent
    // before it were read (a direct peer; a relay answers for itself, REPORTs may follow).
    if (!delivery.report)
      await within(
        session.keepalive().catch(() => undefined),
        timeout ?? 2000,
      );
    await within(session.close(), 2000);
    const failureReport = failureReports.find((r) => r.messageId === delivery.messageId);
    if (failureReport) {
      const { code, reason } = failureReport.status;
      throw new CliError(
        `delivery failed: Failure REPORT ${code} ${reason ?? ''}`.trimEnd(),
        EXIT.failed,
        { status: code, messageId: failureReport.messageId },
      );
    }
    const rate = seconds > 0 ? (delivery.bytes - offset) / seconds : 0;
    const report = delivery.report;
    const what = name ?? 'message';
    // Without a REPORT through relays, the 200s came from the first relay, not the peer.
    const accepted = relays !== undefined && !successReport;
    let line = accepted
      ? `accepted by the relay (no report asked: delivery to the peer unconfirmed) ${what}: `
      : `delivered ${what}: `;
    line += `${delivery.bytes} bytes in ${seconds.toFixed(3)} s`;
    if (offset > 0) line += ` (resumed at byte ${offset + 1}: ${delivery.bytes - offset} sent)`;
    // A rate says something about a file, not about one short text.
    if (file !== undefined) line += ` (${formatRate(rate)})`;
    if (sha256) line += `, sha-256 ${sha256}`;
    if (report) line += `, success report ${report.code} ${report.reason ?? ''}`.trimEnd();
    out.result(line, {
      event: accepted ? 'accepted' : 'delivered',
      messageId: delivery.messageId,
      bytes: delivery.bytes,
      ...(offset > 0 && { offset }),
      ...(file !== undefined && { file, name }),
      seconds: Number(seconds.toFixed(3)),
      ...(file !== undefined && { rate: Math.round(rate) }),
      ...(sha256 !== undefined && { sha256 }),
      ...(report && { report: { code: report.code, reason: report.reason } }),
    });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CliError) throw e;
    const error = classify(e, 'deliver', formatUri(to));
    // A broken transfer of a file the listener can resume: say how, where it is read.
    const broken: number[] = [EXIT.connection, EXIT.timeout, EXIT.interrupted];
    if (file !== undefined && !stdin && !values['no-resume'] && broken.includes(error.exitCode)) {
      error.message += '; run the same command again to send the rest';
    }
    throw error;
  } finally {
    await within(endpoint.close(), 2000);
  }
}
