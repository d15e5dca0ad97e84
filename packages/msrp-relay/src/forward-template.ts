import type { RequestHead } from '@msrp-ts/msrp-core';
import { WireSlab } from '@msrp-ts/msrp-core/internal';
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { MessageHeadTemplate, type HeadEncoder } from './message-head-template.js';

/** The head a request is forwarded with, and the template its chunks' heads are encoded from. */
export interface ForwardHead {
  readonly head: RequestHead;
  /** Set for a chunk with a Byte-Range: only its transaction id and Byte-Range vary. */
  readonly template: HeadEncoder | undefined;
}

/** Where the 200s are written: no string built and encoded per chunk (issue 13). */
const slab = new WireSlab();
const MSRP_SP = Buffer.from('MSRP ');
const SP_200_OK = Buffer.from(' 200 OK');
const DASHES = Buffer.from('-------');
const END_LINE = Buffer.from('$\r\n');

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

  /** The paths of the last 200 sent back, as `ok` writes them (To-Path and From-Path lines). */
  #ok: { readonly to: MsrpUri; readonly from: MsrpUri; readonly paths: Uint8Array } | undefined;

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
      const paths = `\r\nTo-Path: ${formatUri(to)}\r\nFrom-Path: ${formatUri(from)}\r\n`;
      ok = { to, from, paths: Buffer.from(paths, 'utf8') };
      this.#ok = ok;
    }
    const tid = request.transactionId;
    slab.begin(2 * tid.length + ok.paths.length + 24);
    slab.bytes(MSRP_SP);
    // A transaction id is an ident (RFC 4975 §9), ASCII, as the parser checked.
    if (!slab.ascii(tid)) return [Buffer.from(`MSRP ${tid} 200 OK`), ok.paths, endLine(tid)];
    slab.bytes(SP_200_OK);
    slab.bytes(ok.paths);
    slab.bytes(DASHES);
    slab.ascii(tid);
    slab.bytes(END_LINE);
    return [slab.take()];
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
    const messageId = request.messageId;
    if (messageId === undefined) {
      // RFC 4975 §7.1: a SEND carries a Message-ID. One without goes as it came, for the next
      // hop to refuse (400): a template would give it the last message's, or none at all.
      this.#last = undefined;
      return { head: { ...request, transactionId, toPath, fromPath }, template: undefined };
    }
    const last = this.#last;
    const sameRoute =
      last !== undefined &&
      request.byteRange !== undefined &&
      sameRefs(toPath, last.toPath) &&
      sameRefs(fromPath, last.fromPath) &&
      sameMessageFields(request, last.source);
    if (sameRoute && messageId === last.source.messageId) {
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
    const template = message.forMessage(messageId);
    this.#last = { source: request, toPath, fromPath, head, template, message };
    return { head, template };
  }
}

function endLine(tid: string): Uint8Array {
  return Buffer.from(`-------${tid}$\r\n`, 'utf8');
}

function sameRefs(a: readonly MsrpUri[], b: readonly MsrpUri[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether the fields `formatHead` writes are the same, but for the transaction id, Message-ID
 * and Byte-Range. Named loads, not a loop over the names: a keyed load per name was
 * megamorphic, 2.7 % of the relay's CPU per small message (issue 13).
 */
export function sameMessageFields(a: RequestHead, b: RequestHead): boolean {
  return (
    a.method === b.method &&
    a.successReport === b.successReport &&
    a.failureReport === b.failureReport &&
    a.status === b.status &&
    a.expires === b.expires &&
    a.minExpires === b.minExpires &&
    a.maxExpires === b.maxExpires &&
    a.usePath === b.usePath &&
    a.wwwAuthenticate === b.wwwAuthenticate &&
    a.authorization === b.authorization &&
    a.authenticationInfo === b.authenticationInfo &&
    a.useNickname === b.useNickname &&
    a.extensions === b.extensions &&
    a.contentHeaders === b.contentHeaders &&
    a.contentType === b.contentType
  );
}
