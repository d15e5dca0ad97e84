import { MsrpError } from '../errors.js';
import { decodeUtf8 } from '../wire/bytes.js';
import { mediaTypeOf, type ContentType } from '../wire/content-type.js';
import { parseParams } from '../wire/grammar.js';
import type { HeaderField } from '../wire/head.js';
import type { MsrpUri } from '../wire/uri.js';
import type { SavedFile, SaveOptions } from './file-transfer.js';
import type { HasherFactory } from './hasher.js';
import type { PieceStream } from './piece-stream.js';
import type { SessionRuntime } from './session-runtime.js';

/** What the peer told us about a message in the headers of its chunks. */
export interface IncomingMessageInit {
  readonly messageId: string;
  readonly contentType: ContentType | undefined;
  readonly contentHeaders: readonly HeaderField[];
  /** Byte-Range total, when known. */
  readonly size: number | undefined;
  /** Octets before the first chunk's Byte-Range start (a resumed message). Default 0. */
  readonly offset?: number;
  /** The From-Path of its first chunk. */
  readonly fromPath?: readonly MsrpUri[];
}

const KEEPALIVE_TYPE = 'text/x-msrp-heartbeat';

/**
 * A message received on a session. Small messages arrive whole (`body`); large ones
 * (above the session's `inMemoryThreshold`, or of unknown size that grows past it) arrive
 * as a `stream` as soon as their first chunk does, so a 4 GiB file never sits in memory.
 */
export class IncomingMessage {
  readonly messageId: string;
  readonly contentType: ContentType | undefined;
  readonly contentHeaders: readonly HeaderField[];
  /** Total size of the whole message (offset included), when the sender announced it. */
  readonly size: number | undefined;
  /**
   * Octets of the message before the first one delivered: 0, or for a resumed message (its
   * first chunk's Byte-Range starts at `offset + 1`, e.g. a send with `SendOptions.offset`)
   * the octets the application already holds. `body` and `stream` carry the message from
   * octet `offset + 1` on. A later chunk of the message below it is answered 200 and its
   * bytes there are dropped, as resent bytes are (RFC 4975 §7.1): they are the
   * application's already.
   */
  readonly offset: number;
  /**
   * The From-Path of its first chunk: its sender, behind the relays it came through (each
   * adds itself, RFC 4976 §7.1). A session that several peers reach through a relay (a
   * listener) answers each one by passing it as `SendOptions.toPath`. Undefined only for a
   * message no session made.
   */
  readonly fromPath: readonly MsrpUri[] | undefined;
  /** The whole body, when the message was delivered in memory. */
  body: Uint8Array<ArrayBuffer> | undefined;
  /**
   * The body as a stream of byte pieces (one per received piece), for large messages; its
   * reader's loop throws `MSRP_ERR_ABORTED` on abort. On Node, pass it to
   * `stream.pipeline(message.stream, destination)` or `Readable.from(message.stream)`.
   */
  stream: PieceStream | undefined;
  /** True when the sender aborted the message (`#`) or the connection was lost before its end. */
  aborted = false;
  /** Hash the sender announced on the last chunk (`File-Hash` header), e.g. `sha-256:AB:CD:...`. */
  announcedHash: string | undefined;
  /** The message's octets held so far, in order: `offset` plus the bytes received after it. */
  received = 0;

  readonly #runtime: SessionRuntime | undefined;
  /** How the message ended: undefined while under way, true when complete, else the error. */
  #outcome: true | MsrpError | undefined;
  /** {@link completed}, made on first use: most chat messages never have it asked for. */
  #completed: Promise<void> | undefined;
  #settleCompleted: ((error?: MsrpError) => void) | undefined;
  /** With confirmWhenRead, once streamed: what tells {@link confirmed}. */
  #confirmations: { readonly confirmed: number } | undefined;

  /** Not for applications: sessions make incoming messages. */
  constructor(init: IncomingMessageInit, runtime?: SessionRuntime) {
    this.#runtime = runtime;
    this.messageId = init.messageId;
    this.contentType = init.contentType;
    this.contentHeaders = init.contentHeaders;
    this.size = init.size;
    this.offset = init.offset ?? 0;
    this.fromPath = init.fromPath;
    this.received = this.offset;
  }

  /** Resolves when the last byte has arrived; rejects when the message is aborted. */
  get completed(): Promise<void> {
    if (this.#completed) return this.#completed;
    const outcome = this.#outcome;
    this.#completed =
      outcome === true
        ? Promise.resolve()
        : outcome
          ? Promise.reject(outcome)
          : new Promise<void>((resolve, reject) => {
              this.#settleCompleted = (error) => (error ? reject(error) : resolve());
            });
    // Nobody may be waiting; an abort is also reported through `aborted` and the stream.
    this.#completed.catch(() => undefined);
    return this.#completed;
  }

  /** @internal The message is complete, or failed with `error`; only the first call counts. */
  settle(error?: MsrpError): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = error ?? true;
    this.#settleCompleted?.(error);
    this.#settleCompleted = undefined;
  }

  /**
   * @internal Octets of the message (offset included), in order, that the sender was told
   * arrived: `received`, unless confirmWhenRead holds answers back for the reader.
   */
  get confirmed(): number {
    return this.#confirmations?.confirmed ?? this.received;
  }

  /** @internal With confirmWhenRead: where {@link confirmed} comes from. */
  confirmWith(confirmations: { readonly confirmed: number }): void {
    this.#confirmations = confirmations;
  }

  /** @internal The hasher of the endpoint that received the message (`receiveBlob`). */
  get hasherFactory(): HasherFactory | undefined {
    return this.#runtime?.createHasher;
  }

  /**
   * Whether this is keep-alive traffic rather than a message for the user: msrp-node-lib
   * sends `text/x-msrp-heartbeat` messages to keep idle connections open. Chat
   * applications skip these.
   */
  get isKeepalive(): boolean {
    return this.contentType !== undefined && mediaTypeOf(this.contentType) === KEEPALIVE_TYPE;
  }

  /**
   * Whether this is a file as RFC 5547 sends one (Content-Disposition `attachment`, or a
   * `filename`), however small: an empty file is one too.
   */
  get isFile(): boolean {
    return isFile(this);
  }

  /**
   * The `filename` of Content-Disposition, if the sender gave one (RFC 2183): its last path
   * component only (RFC 2183 §2.3: directory path information is not to be respected), so
   * that a name of `../../x` or `..\x` cannot lead a `join(dir, filename)` out of `dir`;
   * undefined for `.`, `..` or an empty name. Still the sender's text: check it before using
   * it as a file name on your system (reserved names, control characters, length).
   */
  get filename(): string | undefined {
    const disposition = this.contentHeaders.find(
      (h) => h.name.toLowerCase() === 'content-disposition',
    );
    if (!disposition) return undefined;
    const semi = disposition.value.indexOf(';');
    if (semi < 0) return undefined;
    const params = parseParams(disposition.value.slice(semi + 1), ';');
    const name = params?.find((p) => p.name.toLowerCase() === 'filename')?.value;
    const last = name?.split(/[/\\]/).pop();
    return last === undefined || last === '' || last === '.' || last === '..' ? undefined : last;
  }

  /**
   * Streams the body to a file, computing its hash on the way (the algorithm of
   * `options.expectedHash`, else SHA-256), and compares it with `expectedHash` (RFC 5547
   * form, e.g. from SDP) or the hash the sender announced. With `options.offset` the bytes
   * go after the file's first `offset` octets (a resumed transfer), and the hash is the
   * whole file's. Needs a file system: Node's, through the endpoint.
   *
   * When it fails, a file it made is removed, one that was there cut back to its first
   * `offset` octets, unless `options.keepPartial` keeps what the sender was told arrived.
   *
   * @example
   * ```ts
   * const saved = await message.saveTo('photo.jpg', { expectedHash: file.expectedHash });
   * if (saved.hashMatches === false) throw new Error(`corrupt: ${saved.hash}`);
   * ```
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` (rejects) on a runtime without files, or
   * for a streamed message already saved or received (once only); `MSRP_ERR_ABORTED` when the sender aborted the message; `MSRP_ERR_FILE` when the file
   * cannot be written or holds fewer than `offset` octets.
   */
  saveTo(path: string, options: SaveOptions = {}): Promise<SavedFile> {
    const files = this.#runtime?.files;
    if (!files) {
      return Promise.reject(
        new MsrpError(
          'MSRP_ERR_INVALID_ARGUMENT',
          'Saving a message to a path needs a file system; read message.stream or message.body',
        ),
      );
    }
    return files.save(this, path, options, this.#runtime.createHasher);
  }

  /**
   * Reads the rest of a streamed message and drops it, so that the connection keeps flowing
   * without refusing the message (unlike {@link discard}); resolves when it ended or failed.
   */
  async drain(): Promise<void> {
    if (!this.stream) return;
    try {
      for await (const piece of this.stream) void piece;
    } catch {
      // An aborted message: nothing more to drain.
    }
  }

  /**
   * Stops receiving a streamed message: its stream is destroyed, the rest of its bytes are
   * dropped, and the sender's next chunk is answered 413 so that it stops (RFC 4975 §7.1).
   * @param reason Why, when the reader failed. The 413 names its kind, never its text (which
   *   may name local paths): `Hash mismatch` for an `MSRP_ERR_HASH_MISMATCH` (the sender's
   *   `DeliveryError` then has that code), `The receiver could not store this message` for
   *   `MSRP_ERR_FILE` or a system error such as `ENOSPC`.
   */
  discard(reason?: unknown): void {
    this.stream?.destroy(reason instanceof Error ? reason : undefined);
  }

  /** The body decoded as UTF-8 (in-memory messages only). */
  text(): string {
    if (!this.body)
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'Message is streamed; read message.stream');
    return decodeUtf8(this.body, 0, this.body.length);
  }
}

/** A file as RFC 5547 sends one: Content-Disposition `attachment`, or a `filename`. */
export function isFile(message: IncomingMessage): boolean {
  const disposition = message.contentHeaders.find(
    (h) => h.name.toLowerCase() === 'content-disposition',
  );
  return /^\s*attachment\b/i.test(disposition?.value ?? '') || message.filename !== undefined;
}
