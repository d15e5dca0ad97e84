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
  readonly #byKind = new Map<string, ChunkHeadTemplate>();

  /**
   * The template for `head` (its transaction id, Message-ID and Byte-Range are ignored), made
   * by {@link ChunkHeadTemplate} the first time; `kind` names everything else of the head
   * but the paths. Heads with MIME headers besides Content-Type are not kept (they vary).
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` as `formatHead` does.
   */
  get(kind: string, head: RequestHead): ChunkHeadTemplate {
    if (head.contentHeaders !== undefined && head.contentHeaders.length > 0)
      return new ChunkHeadTemplate(head);
    if (head.toPath !== this.#toPath || head.fromPath !== this.#fromPath) {
      this.#byKind.clear();
      this.#toPath = head.toPath;
      this.#fromPath = head.fromPath;
    }
    let template = this.#byKind.get(kind);
    if (template) return template;
    template = new ChunkHeadTemplate(head);
    if (this.#byKind.size >= KINDS) this.#byKind.delete(this.#byKind.keys().next().value!);
    this.#byKind.set(kind, template);
    return template;
  }
}
