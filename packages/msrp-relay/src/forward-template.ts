import type { RequestHead } from '@msrp-ts/msrp-core';
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { ChunkHeadTemplate } from '@msrp-ts/msrp-core/internal';

/** The head a request is forwarded with, and the template its chunks' heads are encoded from. */
export interface ForwardHead {
  readonly head: RequestHead;
  /** Set for a chunk with a Byte-Range: only its transaction id and Byte-Range vary. */
  readonly template: ChunkHeadTemplate | undefined;
}

/** The fields {@link formatHead} writes, but for the transaction id and Byte-Range. */
const SAME_IN_EVERY_CHUNK = [
  'method',
  'messageId',
  'successReport',
  'failureReport',
  'status',
  'expires',
  'minExpires',
  'maxExpires',
  'usePath',
  'wwwAuthenticate',
  'authorization',
  'authenticationInfo',
  'useNickname',
  'extensions',
  'contentHeaders',
  'contentType',
] as const;

/**
 * The forwarded head of the last chunk that arrived on one connection, kept so that the next
 * chunk of the same message costs no head formatted and checked again: its head differs only
 * in transaction id and Byte-Range (RFC 4975 §7.1), so it is encoded from a
 * {@link ChunkHeadTemplate}.
 *
 * The parser hands the next chunk of a message the same field values as the last (it
 * recognises the header block by its bytes), so sameness is a comparison of references:
 * cheap, and never wrong. A head parsed afresh (a chat line in between) is a miss, and
 * builds a new template.
 */
export class ForwardTemplate {
  #last:
    | {
        readonly source: RequestHead;
        readonly toPath: readonly MsrpUri[];
        readonly fromPath: readonly MsrpUri[];
        readonly head: RequestHead;
        readonly template: ChunkHeadTemplate;
      }
    | undefined;

  /** The paths of the last 200 sent back, as `ok` wrote them. */
  #ok: { readonly to: MsrpUri; readonly from: MsrpUri; readonly paths: string } | undefined;

  /**
   * The 200 answering the SEND chunk `request` hop by hop (RFC 4976 §7.2), or undefined when
   * its Failure-Report asks for none (RFC 4975 §7.1). It goes back one hop (RFC 4975 §7.2):
   * the paths, formatted once per message, come from its From-Path and To-Path.
   */
  ok(request: RequestHead): Uint8Array[] | undefined {
    const failureReport = request.failureReport;
    if (failureReport === 'no' || failureReport === 'partial') return undefined;
    const to = request.fromPath[0]!;
    const from = request.toPath[0]!;
    let ok = this.#ok;
    if (ok?.to !== to || ok.from !== from) {
      ok = {
        to,
        from,
        paths: `\r\nTo-Path: ${formatUri(to)}\r\nFrom-Path: ${formatUri(from)}\r\n`,
      };
      this.#ok = ok;
    }
    const tid = request.transactionId;
    return [Buffer.from(`MSRP ${tid} 200 OK${ok.paths}-------${tid}$\r\n`, 'utf8')];
  }

  /**
   * The head to forward `request` with, its paths rewritten to `toPath` and `fromPath`
   * (RFC 4976 §7.1), and a new transaction id.
   */
  forward(
    request: RequestHead,
    transactionId: string,
    toPath: readonly MsrpUri[],
    fromPath: readonly MsrpUri[],
  ): ForwardHead {
    const last = this.#last;
    if (
      last &&
      request.byteRange &&
      sameRefs(toPath, last.toPath) &&
      sameRefs(fromPath, last.fromPath) &&
      sameChunkFields(request, last.source)
    ) {
      const head = { ...last.head, transactionId, byteRange: request.byteRange };
      return { head, template: last.template };
    }
    const head: RequestHead = { ...request, transactionId, toPath, fromPath };
    // Only a SEND chunk with a Byte-Range has next chunks; the template formats (and so
    // checks) the head once, as encodeHead would.
    if (request.method !== 'SEND' || !request.byteRange) {
      this.#last = undefined;
      return { head, template: undefined };
    }
    let template: ChunkHeadTemplate;
    try {
      template = new ChunkHeadTemplate(head);
    } catch {
      // Not formattable: encodeHead, as the head is written, says why.
      this.#last = undefined;
      return { head, template: undefined };
    }
    this.#last = { source: request, toPath, fromPath, head, template };
    return { head, template };
  }
}

function sameRefs(a: readonly MsrpUri[], b: readonly MsrpUri[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameChunkFields(a: RequestHead, b: RequestHead): boolean {
  for (const field of SAME_IN_EVERY_CHUNK) if (a[field] !== b[field]) return false;
  return true;
}
