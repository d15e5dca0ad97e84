import { copyBytes } from './bytes.js';
import { FLAGS } from './end-line-scanner.js';
import type { ResponseHead } from './head.js';
import type { ContinuationFlag } from './frame-sink.js';
import { PushView, sameWords } from './same-words.js';

const CR = 0x0d;
/** Fields of a response that are its own or kept apart: not copied from the template. */
const OWN = ['kind', 'transactionId', 'statusCode', 'comment', 'toPath', 'fromPath'] as const;
const LF = 0x0a;

interface Template {
  /** The header block of the last response, its CRLF and `-------`: all but id and flag. */
  readonly block: Uint8Array;
  readonly blockView: DataView;
  readonly toPath: ResponseHead['toPath'];
  readonly fromPath: ResponseHead['fromPath'];
  /** Headers besides To-Path and From-Path, if any. */
  readonly others: Partial<ResponseHead> | undefined;
}

/**
 * The header block of the last bodiless response the parser read whole, as a template: the
 * 200s that answer a session's chunks come in runs, each one the block of the last
 * (To-Path, From-Path) byte for byte, followed by its end-line. A response that matches is
 * read with no header parsing: only its start line (transaction id, status code, comment)
 * is its own, and its end-line is checked against that transaction id. Anything else
 * (another block, a body, a malformed end-line) does not match and is read in full.
 */
export class ResponseTemplate {
  #last: Template | undefined;
  /** After a {@link match}: the end-line's flag. */
  flag: ContinuationFlag = '$';
  /** After a {@link match}: where the next frame begins. */
  end = 0;
  readonly #view = new PushView();

  /** Lets go of the array matched last (the parser is done with its push). */
  release(): void {
    this.#view.release();
  }

  /**
   * Keeps the block `buf[from, to)` of the bodiless response `head`, read and checked, with
   * the CRLF and `-------` that follow it (`to` is where its end-line's CRLF begins).
   */
  remember(buf: Uint8Array, from: number, to: number, head: ResponseHead): void {
    const others: Partial<ResponseHead> = { ...head };
    for (const own of OWN) delete others[own];
    const block = copyBytes(buf.subarray(from, to + 9));
    this.#last = {
      block,
      blockView: new DataView(block.buffer, block.byteOffset, block.length),
      toPath: head.toPath,
      fromPath: head.fromPath,
      others: Object.keys(others).length > 0 ? others : undefined,
    };
  }

  /**
   * Whether the bytes from `from` are the remembered block and then the end-line of the
   * transaction id of `start` (a head fresh from its start line), whole before `limit`. If
   * so, `start` is completed in place (its paths and other headers: no head made per
   * response), and {@link flag} and {@link end} tell the end-line's flag and where the next
   * frame begins.
   */
  match(buf: Uint8Array, from: number, limit: number, start: ResponseHead): boolean {
    const t = this.#last;
    if (t === undefined) return false;
    const block = t.block;
    const n = block.length;
    const id = start.transactionId;
    // The block, the transaction id, the flag and CRLF.
    const end = from + n + id.length + 3;
    if (end > limit) return false;
    // Eight bytes at a time (see sameWords): a byte loop over the ~100 bytes of paths was
    // most of what the sender of small messages spent reading each 200.
    if (!sameWords(buf, this.#view.of(buf), from, block, t.blockView, 0, n)) return false;
    let p = from + n;
    for (let k = 0; k < id.length; k++) if (buf[p + k] !== id.charCodeAt(k)) return false;
    p += id.length;
    const flag = FLAGS[buf[p]!];
    if (flag === undefined || buf[p + 1] !== CR || buf[p + 2] !== LF) return false;
    // The start line gave the fields in the order the full read does (kind, id, status,
    // paths, comment): one object shape for every response.
    start.toPath = t.toPath;
    start.fromPath = t.fromPath;
    if (t.others) Object.assign(start, t.others);
    this.flag = flag;
    this.end = end;
    return true;
  }
}
