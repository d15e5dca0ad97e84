import type { Duplex } from 'node:stream';

/**
 * Calls `onEnd` once when the peer closes its side (FIN) while the stream is paused with
 * bytes still unread. A paused Readable emits no `end` until its buffered bytes are read, so
 * without this a peer that went away while we held it back would stay open, counted and in
 * CLOSE-WAIT, until something else (an idle timeout) noticed.
 *
 * Node has no public API for it: this relies on Readable emitting `readable` when the end of
 * the stream is pushed, even while paused, and on `_readableState.ended` turning true at that
 * moment. `prependListener` is used because `Readable#on('readable')` would take the stream
 * out of flowing mode; call it after the `data` listener is attached. Only the stream's
 * buffered bytes are in question: once Node's buffer is full it stops reading the socket, and
 * the FIN is seen when that drains (or not at all if it never does). A stream without
 * `_readableState` is not watched.
 */
export function onEndWhilePaused(socket: Duplex, onEnd: () => void): void {
  const state = (socket as unknown as { _readableState?: { ended?: unknown } })._readableState;
  if (!state) return;
  let seen = false;
  socket.prependListener('readable', () => {
    if (seen || state.ended !== true || !socket.isPaused() || socket.destroyed) return;
    seen = true;
    onEnd();
  });
}
