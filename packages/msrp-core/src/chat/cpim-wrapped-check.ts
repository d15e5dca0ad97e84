// RFC 4975 §8.6: a peer may wrap in message/cpim only the types our accept-wrapped-types
// lists; anything else is refused with 415 like a top-level type outside accept-types.
import { accepts } from '../session/inbound.js';
import type { MessageChecker } from '../session/message-check.js';
import { mediaTypeOf, type ContentType } from '../wire/content-type.js';
import { parseCpim, type CpimMessage } from './cpim-message.js';

/**
 * A session `checkMessage` that answers 415 to a `message/cpim` message wrapping a type
 * outside `wrappedTypes` (our SDP `accept-wrapped-types`; `*` and `type/*` allowed). An
 * encapsulated object without Content-Type is text/plain. Unreadable CPIM is let through, for
 * the {@link Chat} to report as `malformed`.
 *
 * @example
 * ```ts
 * const session = endpoint.createSession({
 *   acceptTypes: side.acceptTypes,
 *   checkMessage: cpimWrappedTypeCheck(side.wrappedTypes),
 * });
 * ```
 */
export function cpimWrappedTypeCheck(wrappedTypes: readonly string[]): MessageChecker {
  return (message) => {
    if (message.contentType === undefined || mediaTypeOf(message.contentType) !== 'message/cpim')
      return undefined;
    let inner: ContentType | undefined;
    try {
      inner = wrappedType(parseCpim(message.body));
    } catch {
      return undefined;
    }
    if (inner === undefined) return undefined;
    return accepts(wrappedTypes, inner) ? undefined : 415;
  };
}

const TEXT_PLAIN: ContentType = { type: 'text', subtype: 'plain', params: [] };

/**
 * @internal The type of the object `cpim` encapsulates: text/plain when it has no Content-Type,
 * undefined when its Content-Type is unreadable.
 */
export function wrappedType(cpim: CpimMessage): ContentType | undefined {
  return cpim.contentHeader('Content-Type') === undefined ? TEXT_PLAIN : cpim.contentType;
}
