// Which incoming messages are keepalives rather than chat: `msrp listen` and `msrp chat`
// neither print nor store them.
import type { IncomingMessage } from '@msrp-ts/msrp-core';

/** What --help says about keepalives. */
export const KEEPALIVE_HELP = `Keepalives are not shown or stored: messages of type text/x-msrp-heartbeat
(msrp-node-lib's heartbeats) and messages with an empty body, unless they are a file
(an empty file is stored).`;

/**
 * Whether `message` is a keepalive: one the library marks so (`isKeepalive`: msrp-node-lib's
 * heartbeat type), or one with an empty body (there is nothing to show or store) that is not
 * a file: an empty file is one to store, as its sender was told it was delivered.
 */
export function isKeepalive(message: IncomingMessage): boolean {
  if (message.isKeepalive) return true;
  const empty = message.size === 0 || message.body?.length === 0;
  return empty && !message.isFile;
}

/** Lets a keepalive's bytes flow away unread, so the connection keeps moving. */
export function dropKeepalive(message: IncomingMessage): void {
  void message.drain();
}
