import { copyBytes } from './bytes.js';
import { FLAGS } from './end-line-scanner.js';
import type { ResponseHead } from './head.js';
import type { ContinuationFlag } from './parser.js';

const CR = 0x0d;
/** Fields of a response that are its own or kept apart: not copied from the template. */
const OWN = ['kind', 'transactionId', 'statusCode', 'comment', 'toPath', 'fromPath'] as const;
const LF = 0x0a;

interface Template {
  /** The header block of the last response, its CRLF and `-------`: all but id and flag. */
  readonly block: Uint8Array;
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

  /**
   * Keeps the block `buf[from, to)` of the bodiless response `head`, read and checked, with
   * the CRLF and `-------` that follow it (`to` is where its end-line's CRLF begins).
   */
  remember(buf: Uint8Array, from: number, to: number, head: ResponseHead): void {
    const others: Partial<ResponseHead> = { ...head };
    for (const own of OWN) delete others[own];
    this.#last = {
      block: copyBytes(buf.subarray(from, to + 9)),
      toPath: head.toPath,
      fromPath: head.fromPath,
      others: Object.keys(others).length > 0 ? others : undefined,
    };
  }

  /**
   * The response that starts with `start`, when the bytes from `from` are the remembered
   * block and then the end-line of `start`'s transaction id, whole before `limit`; else
   * undefined. `end` is where the next frame begins.
   */
  match(
    buf: Uint8Array,
    from: number,
    limit: number,
    start: ResponseHead,
  ): { head: ResponseHead; flag: ContinuationFlag; end: number } | undefined {
    const t = this.#last;
    if (t === undefined) return undefined;
    const block = t.block;
    const n = block.length;
    const id = start.transactionId;
    // The block, the transaction id, the flag and CRLF.
    const end = from + n + id.length + 3;
    if (end > limit) return undefined;
    for (let k = 0; k < n; k++) if (buf[from + k] !== block[k]) return undefined;
    let p = from + n;
    for (let k = 0; k < id.length; k++) if (buf[p + k] !== id.charCodeAt(k)) return undefined;
    p += id.length;
    const flag = FLAGS[buf[p]!];
    if (flag === undefined || buf[p + 1] !== CR || buf[p + 2] !== LF) return undefined;
    // The fields in the order the full read gives them: one object shape for every response.
    const head: ResponseHead = {
      kind: 'response',
      transactionId: id,
      statusCode: start.statusCode,
      toPath: t.toPath,
      fromPath: t.fromPath,
    };
    if (start.comment !== undefined) head.comment = start.comment;
    if (t.others) Object.assign(head, t.others);
    return { head, flag, end };
  }
}
