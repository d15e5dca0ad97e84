// `msrp listen`'s side of resuming: answers a sender's file offer with the range it misses,
// receives the file that follows into NAME.part at the right offset, checks the whole file's
// hash, and keeps the part (and its record) when the transfer breaks.
import {
  IncompleteMessageError,
  MsrpError,
  uriKey,
  type IncomingMessage,
  type PartialFile,
  type Session,
} from '@msrp-ts/msrp-core';
import {
  FILE_ANSWER_TYPE,
  formatFileAnswer,
  parseFileOffer,
  type FileOfferBody,
} from './file-offer.js';
import { safeFileName } from './files.js';
import type { Output } from './output.js';
import { PartStore, sameFile, type Part } from './part-store.js';

/** Offers answered and waiting for their file, at most: past it the oldest is forgotten. */
export const MAX_PENDING_OFFERS = 64;

/** Which sender a message comes from: its session URI, the last of its From-Path. */
function senderOf(message: IncomingMessage): string {
  const uri = message.fromPath?.at(-1);
  return uri ? uriKey(uri) : '';
}

/** Answers resume offers on one session and stores the files that follow them. */
export class ResumeListener {
  readonly #store: PartStore;
  /**
   * Offers answered, waiting for their file, by safe file name (a newer offer of a name takes
   * its place), with their sender: through a relay several senders reach this session, and a
   * file belongs to its own sender's offer.
   */
  readonly #pending = new Map<string, Part & { readonly sender: string }>();
  /**
   * Files being written, by safe file name: a new offer of the same file waits until it
   * settled (see {@link offer}).
   */
  readonly #busy = new Map<string, { readonly work: Promise<unknown>; readonly part: Part }>();

  constructor(
    readonly session: Session,
    outDir: string,
    readonly out: Output,
  ) {
    this.#store = new PartStore(outDir);
  }

  /**
   * Answers a file offer: prepares NAME.part (keeping what it holds of the same file) and
   * tells the sender the range it misses (RFC 5547 §6 `a=file-range`).
   */
  async offer(message: IncomingMessage): Promise<void> {
    const offer = message.body ? parseFileOffer(message.text()) : undefined;
    if (!offer || offer.size === 0) {
      this.out.error(`ignored a malformed file offer ${message.messageId}`, {
        messageId: message.messageId,
      });
      return;
    }
    const name = safeFileName(offer.name, `message-${message.messageId}.bin`);
    const sender = senderOf(message);
    const busy = this.#busy.get(name);
    const waiting = this.#pending.get(name);
    if (
      (busy && !sameFile(busy.part.offer, offer)) ||
      (waiting && waiting.sender !== sender && !sameFile(waiting.offer, offer))
    ) {
      // Another file of this name is being written, or another sender was told where to
      // resume it (through a relay, several senders reach this session): this one can neither
      // share that part nor take it (its sender would then be refused, and the part's octets
      // lost). Asked for whole, it is stored as any other file, under a free name, and is not
      // resumable.
      await this.#answer(message, offer, 0);
      return;
    }
    // The transfer this one resumes may still be writing its last pieces.
    await busy?.work;
    const part = await this.#store.prepare(name, offer);
    if (!part) {
      // NAME.part or NAME.part.json is a file of another: the file comes whole, stored as any
      // other file, and an older offer of the name (its part) is superseded all the same.
      this.#pending.delete(name);
      this.out.status(
        `${name} comes whole, not resumable: ${name}.part or ${name}.part.json in --out is not a part of ours (left alone)`,
        { event: 'not-resumable', name },
      );
      await this.#answer(message, offer, 0);
      return;
    }
    // A newer offer of the name takes its part (its sender offers again, or the same file came
    // back on a new session): the file of an older offer is refused if it comes.
    this.#hold(name, { ...part, sender });
    if (part.held > 0) {
      this.out.status(`resuming ${name} at byte ${part.held + 1} of ${offer.size}`, {
        event: 'resuming',
        name,
        offset: part.held,
        size: offer.size,
      });
    }
    await this.#answer(message, offer, part.held);
  }

  /**
   * Holds `part` for its sender's file. Deleted first, it is the newest of the map, the last
   * to be forgotten past {@link MAX_PENDING_OFFERS}.
   */
  #hold(name: string, part: Part & { readonly sender: string }): void {
    this.#pending.delete(name);
    this.#pending.set(name, part);
    for (const oldest of this.#pending.keys()) {
      if (this.#pending.size <= MAX_PENDING_OFFERS) break;
      this.#pending.delete(oldest);
    }
  }

  /** Tells the sender of `offer` to send the file from octet `held + 1` (RFC 5547 §6). */
  async #answer(message: IncomingMessage, offer: FileOfferBody, held: number): Promise<void> {
    const range = { start: held + 1, stop: offer.size };
    // To the offer's sender: through a relay, several senders reach this one session.
    await this.session.send(formatFileAnswer({ transferId: offer.transferId, range }), {
      contentType: FILE_ANSWER_TYPE,
      ...(message.fromPath && { toPath: message.fromPath }),
    });
  }

  /**
   * Stores `message` when it is the file of an offer answered on this session; false when it
   * is not (the caller stores it as any other file).
   */
  async receive(message: IncomingMessage): Promise<boolean> {
    const name = safeFileName(message.filename, '');
    const part = name === '' ? undefined : this.#pending.get(name);
    if (!part || part.sender !== senderOf(message)) return false;
    if (message.size !== undefined && message.size !== part.offer.size) return false;
    this.#pending.delete(name);
    // The sender must start where we asked; from the first octet is fine too (it sent all).
    const offset = message.offset;
    if (offset !== part.held && offset !== 0) {
      message.discard();
      this.out.error(
        `${name}: the sender resumed at byte ${offset + 1}, not at ${part.held + 1}: refused`,
        { name, offset, expected: part.held },
      );
      return true;
    }
    // Busy from now: an offer of the name meanwhile must see this file's part as taken.
    const work = this.#take(message, name, part, offset);
    this.#busy.set(name, { work, part });
    try {
      return await work;
    } finally {
      // Settled: kept, the names of every file ever received would pile up here.
      if (this.#busy.get(name)?.work === work) this.#busy.delete(name);
    }
  }

  /** Opens the part and writes the message into it; false when no part can be kept. */
  async #take(
    message: IncomingMessage,
    name: string,
    part: Part,
    offset: number,
  ): Promise<boolean> {
    let partial: PartialFile;
    try {
      partial = await part.open();
    } catch (e) {
      // The file is stored (or refused) as any other file.
      this.out.error(`cannot keep a part of ${name}: ${(e as Error).message}`, { name });
      return false;
    }
    await this.#save(message, name, part, partial, offset);
    return true;
  }

  /** A part whose whole file has another hash than the one announced: nothing to resume. */
  async #drop(
    partial: PartialFile,
    name: string,
    e: MsrpError,
    announcedHash: string | undefined,
  ): Promise<void> {
    await partial.discard();
    this.out.error(`${name}: HASH MISMATCH over the whole file (${e.message}): part dropped`, {
      name,
      announcedHash,
      hashMatches: false,
    });
  }

  /** Writes the message into the part; completes, drops or keeps the part as it turns out. */
  async #save(
    message: IncomingMessage,
    name: string,
    part: Part,
    partial: PartialFile,
    offset: number,
  ): Promise<void> {
    try {
      // Each piece on disk before the next is pulled (which, with confirmWhenRead, confirms it).
      const received = await partial.receive(message, { at: offset });
      // A message cut by its connection may still be handed over, short: keep it as a part.
      if (message.aborted || received.held !== part.offer.size) {
        throw new Error(`the message ended at byte ${offset + received.bytes}`);
      }
    } catch (e) {
      if (e instanceof IncompleteMessageError) {
        // The sender (or a relay) went away, the connection stayed: no more will come.
        this.out.error(
          `receiving ${name} stopped: no data for ${e.idleMs} ms; kept ${partial.partPath} (${partial.held} of ${part.offer.size} bytes) to resume`,
          {
            code: e.code,
            messageId: message.messageId,
            name,
            held: partial.held,
            size: part.offer.size,
            idleMs: e.idleMs,
          },
        );
        // Its sender may still go on: the next chunk of the message comes as a new message
        // at its Byte-Range (RFC 4975 §7.1), to be written after what the part holds. Unless
        // a newer offer took the name, the part waits for it as for an answered offer.
        if (!this.#pending.has(name)) {
          this.#hold(name, { ...part, held: partial.held, sender: senderOf(message) });
        }
        return;
      }
      if (isHashMismatch(e)) {
        // Checked before the last chunk's 200: its sender was refused, not told it was stored.
        await this.#drop(partial, name, e, message.announcedHash);
        return;
      }
      this.out.error(
        `receiving ${name} broke at byte ${partial.held} of ${part.offer.size}: ${(e as Error).message}; kept ${partial.partPath} to resume`,
        { messageId: message.messageId, name, held: partial.held, size: part.offer.size },
      );
      return;
    }
    const announcedHash = message.announcedHash;
    let done: Awaited<ReturnType<PartStore['complete']>>;
    try {
      done = await this.#store.complete(partial);
    } catch (e) {
      if (!isHashMismatch(e)) throw e;
      await this.#drop(partial, name, e, announcedHash);
      return;
    }
    const sha256 = done.hash.startsWith('sha-256:')
      ? done.hash.slice('sha-256:'.length)
      : undefined;
    const hash = done.checked ? 'hash matched' : 'no hash announced';
    const resumed = offset > 0 ? `, resumed at byte ${offset + 1}` : '';
    this.out.result(
      `saved ${done.path} (${part.offer.size} bytes, ${sha256 ? `sha-256 ${sha256}` : done.hash}, ${hash}${resumed})`,
      {
        event: 'file',
        messageId: message.messageId,
        path: done.path,
        name: message.filename,
        bytes: part.offer.size,
        offset,
        sha256,
        hash: done.hash,
        announcedHash,
        hashMatches: done.checked ? true : undefined,
      },
    );
  }
}

/** Whether `e` says a file's hash is not the one it must have. */
export const isHashMismatch = (e: unknown): e is MsrpError =>
  e instanceof MsrpError && e.code === 'MSRP_ERR_HASH_MISMATCH';
