import type { RequestHead } from '@msrp-ts/msrp-core';
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { MessageHeadTemplate, type HeadEncoder } from './message-head-template.js';

/** The head a request is forwarded with, and the template its chunks' heads are encoded from. */
export interface ForwardHead {
  readonly head: RequestHead;
  /** Set for a chunk with a Byte-Range: only its transaction id and Byte-Range vary. */
  readonly template: HeadEncoder | undefined;
}

/** The fields `formatHead` writes, but for the transaction id, Message-ID and Byte-Range. */
const SAME_IN_EVERY_MESSAGE = [
  'method',
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
 * in transaction id and Byte-Range (RFC 4975 §7.1). The next message of the same route (the
 * next chat line, its REPORT) differs in its Message-ID too: both are encoded from a
 * {@link MessageHeadTemplate}, formatted once per route.
 *
 * The parser hands the next chunk of a message the same field values as the last (it
 * recognises the header lines by their bytes), so sameness is a comparison of references:
 * cheap, and never wrong. A head with another value anywhere else is a miss, and builds a
 * new template.
 */
export class ForwardTemplate {
  #last:
    | {
        readonly source: RequestHead;
        readonly toPath: readonly MsrpUri[];
        readonly fromPath: readonly MsrpUri[];
        readonly head: RequestHead;
        readonly template: HeadEncoder;
        /** The template of the route's messages, whatever their Message-ID. */
        readonly message: MessageHeadTemplate;
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
    const sameRoute =
      last !== undefined &&
      request.byteRange !== undefined &&
      sameRefs(toPath, last.toPath) &&
      sameRefs(fromPath, last.fromPath) &&
      sameMessageFields(request, last.source);
    if (sameRoute && request.messageId === last.source.messageId) {
      const head = { ...last.head, transactionId, byteRange: request.byteRange! };
      return { head, template: last.template };
    }
    const head: RequestHead = { ...request, transactionId, toPath, fromPath };
    // A SEND chunk or a REPORT with a Byte-Range and a Message-ID: the template formats (and
    // so checks) the head once per route, as encodeHead would; other requests are rare.
    const method = request.method;
    let message = sameRoute ? last.message : undefined;
    if (!message && (method === 'SEND' || method === 'REPORT')) {
      try {
        message = MessageHeadTemplate.of(head);
      } catch {
        // Not formattable: encodeHead, as the head is written, says why.
      }
    }
    if (!message) {
      this.#last = undefined;
      return { head, template: undefined };
    }
    const template = message.forMessage(request.messageId!);
    this.#last = { source: request, toPath, fromPath, head, template, message };
    return { head, template };
  }
}

function sameRefs(a: readonly MsrpUri[], b: readonly MsrpUri[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameMessageFields(a: RequestHead, b: RequestHead): boolean {
  for (const field of SAME_IN_EVERY_MESSAGE) if (a[field] !== b[field]) return false;
  return true;
}
