import type { ContentType } from '../wire/content-type.js';
import type { RequestHead } from '../wire/head.js';
import { ChunkHeadTemplate } from '../wire/serializer.js';
import type { MsrpUri } from '../wire/uri.js';

/** Kinds of message a session remembers a template for (chat text, IMDN, a file...). */
const KINDS = 8;

/**
 * A session's chunk-head templates, one per kind of message: To-Path and From-Path are fixed
 * for the session, and its messages of one Content-Type (with no other MIME headers) share
 * every header but Message-ID and Byte-Range, so a small message costs no `formatHead` of
 * its own. Forgotten when the paths change (a new To-Path after a reconnect).
 */
export class HeadTemplates {
  #toPath: readonly MsrpUri[] | undefined;
  #fromPath: readonly MsrpUri[] | undefined;
  /** By Content-Type (the session parses each text once: one object per type), per Success-Report. */
  readonly #byKind = [
    new Map<ContentType | undefined, ChunkHeadTemplate>(),
    new Map<ContentType | undefined, ChunkHeadTemplate>(),
  ] as const;

  /**
   * The template {@link get} made for a SEND with these paths, Content-Type and Success-Report
   * (`yes` when `successReport`, else none) and no other headers, if it did: what a message
   * of a kind already sent finds without a head object of its own.
   */
  find(
    toPath: readonly MsrpUri[],
    fromPath: readonly MsrpUri[],
    contentType: ContentType,
    successReport: boolean,
  ): ChunkHeadTemplate | undefined {
    if (toPath !== this.#toPath || fromPath !== this.#fromPath) return undefined;
    return this.#byKind[successReport ? 1 : 0].get(contentType);
  }

  /**
   * The template for `head` (its transaction id, Message-ID and Byte-Range are ignored), made
   * by {@link ChunkHeadTemplate} the first time. `head` is a SEND of To-Path, From-Path,
   * Message-ID, Success-Report, Byte-Range and Content-Type: what tells two kinds apart is
   * its Content-Type object and Success-Report. Heads with more (MIME headers, extensions)
   * are not kept.
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` as `formatHead` does.
   */
  get(head: RequestHead): ChunkHeadTemplate {
    const other = head.contentHeaders?.length || head.extensions?.length || head.failureReport;
    if (other || head.successReport === 'no') return new ChunkHeadTemplate(head);
    const byKind = this.#byKind;
    if (head.toPath !== this.#toPath || head.fromPath !== this.#fromPath) {
      byKind[0].clear();
      byKind[1].clear();
      this.#toPath = head.toPath;
      this.#fromPath = head.fromPath;
    }
    const templates = byKind[head.successReport === 'yes' ? 1 : 0];
    let template = templates.get(head.contentType);
    if (template) return template;
    template = new ChunkHeadTemplate(head);
    // Few kinds per session; a caller that parses each message's type anew gets no reuse.
    if (templates.size >= KINDS) templates.clear();
    templates.set(head.contentType, template);
    return template;
  }
}
