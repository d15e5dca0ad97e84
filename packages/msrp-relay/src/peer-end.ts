import type { Duplex } from 'node:stream';

/**
 * Calls `onEnd` when the peer closes its side while reading is paused (`onEnd` should close
 * the connection: frames still unread will not be read). A paused stream
 * emits no `end` until its buffered bytes are read, so a peer that went away while the relay
 * held it back (its next hop slow) would stay open, counted and in CLOSE-WAIT; a relay does
 * not owe a vanished peer the rest of its frames.
 *
 * Workaround until `Connection` (msrp-core) reacts to FIN while paused. It relies on Node's
 * Readable emitting `readable` when the end of the stream is pushed even while paused, and on
 * `_readableState.ended`, which turns true at that moment. `prependListener` is used because
 * `Readable#on('readable')` would take the stream out of flowing mode; it must be called
 * after the `data` listener is attached. Only the stream's buffered bytes are in question:
 * once Node's buffer is full it stops reading the socket, and the FIN is seen when it drains.
 */
export function onPeerEndWhilePaused(socket: Duplex, onEnd: () => void): void {
  const state = (socket as unknown as { _readableState?: { ended?: boolean } })._readableState;
  if (!state) return;
  socket.prependListener('readable', () => {
    if (state.ended === true && socket.isPaused() && !socket.destroyed) onEnd();
  });
}
