// The media types of a chat the RCS way (GSMA RCC.07 over RFC 4975 §8.6): everything in CPIM
// but is-composing, and inside CPIM text and delivery/display notifications (RFC 5438).

/** `a=accept-types` of an RCS chat: CPIM, and is-composing bare (RFC 3994). */
export const RCS_CHAT_ACCEPT_TYPES: readonly string[] = Object.freeze([
  'message/cpim',
  'application/im-iscomposing+xml',
]);

/** `a=accept-wrapped-types` of an RCS chat: text and IMDNs inside CPIM. */
export const RCS_CHAT_WRAPPED_TYPES: readonly string[] = Object.freeze([
  'text/plain',
  'message/imdn+xml',
]);

/**
 * The `acceptTypes` and `wrappedTypes` options of {@link createOffer} and {@link createAnswer}
 * for a chat the RCS way; spread them in.
 *
 * @example
 * ```ts
 * const offer = createOffer({ localUri, ...RCS_CHAT_TYPES });
 * // a=accept-types:message/cpim application/im-iscomposing+xml
 * // a=accept-wrapped-types:text/plain message/imdn+xml
 * ```
 */
export const RCS_CHAT_TYPES: {
  readonly acceptTypes: readonly string[];
  readonly wrappedTypes: readonly string[];
} = Object.freeze({ acceptTypes: RCS_CHAT_ACCEPT_TYPES, wrappedTypes: RCS_CHAT_WRAPPED_TYPES });
