import type { Duplex } from 'node:stream';

/** The part of a Readable's private state read here. */
type WithReadableState = Duplex & { _readableState?: { ended?: unknown } };

/**
 * Whether `socket`'s peer closed its side (FIN) while the stream is paused with bytes still
 * unread: to be asked on each `readable` of a listener that {@link watchEndWhilePaused}
 * allows. A paused Readable emits no `end` until its buffered bytes are read, so without
 * this a peer that went away while we held it back would stay open, counted and in
 * CLOSE-WAIT, until something else (an idle timeout) noticed.
 *
 * Node has no public API for it: this relies on Readable emitting `readable` when the end of
 * the stream is pushed, even while paused, and on `_readableState.ended` turning true at that
 * moment. The listener must be added with `prependListener`, because `Readable#on('readable')`
 * would take the stream out of flowing mode, and after the `data` listener. Only the stream's
 * buffered bytes are in question: once Node's buffer is full it stops reading the socket, and
 * the FIN is seen when that drains (or not at all if it never does).
 */
export function endedWhilePaused(socket: Duplex): boolean {
  return (
    (socket as WithReadableState)._readableState?.ended === true &&
    socket.isPaused() &&
    !socket.destroyed
  );
}

/** Whether {@link endedWhilePaused} can tell: a stream without `_readableState` is not watched. */
export function watchEndWhilePaused(socket: Duplex): boolean {
  return (socket as WithReadableState)._readableState !== undefined;
}
