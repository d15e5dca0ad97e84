// Which incoming messages are keepalives rather than chat: `msrp listen` and `msrp chat`
// neither print nor store them.
import { mediaTypeOf, type IncomingMessage } from '@msrp-ts/msrp-core';

/**
 * Content types that peers send only to keep a connection alive, never as content:
 * msrp-node-lib's periodic `text/x-msrp-heartbeat` SENDs.
 */
export const KEEPALIVE_TYPES: readonly string[] = ['text/x-msrp-heartbeat'];

/** What --help says about keepalives. */
export const KEEPALIVE_HELP = `Keepalives are not shown or stored: messages of type ${KEEPALIVE_TYPES.join(', ')}
(msrp-node-lib's heartbeats) and messages with an empty body.`;

/**
 * Whether `message` is a keepalive: its content type is one of {@link KEEPALIVE_TYPES}, or its
 * body is empty (there is nothing to show or store).
 */
export function isKeepalive(message: IncomingMessage): boolean {
  if (message.contentType && KEEPALIVE_TYPES.includes(mediaTypeOf(message.contentType))) {
    return true;
  }
  return message.size === 0 || message.body?.length === 0;
}

/** Lets a keepalive's bytes flow away unread, so the connection keeps moving. */
export function dropKeepalive(message: IncomingMessage): void {
  message.stream?.on('error', () => undefined).resume();
}
