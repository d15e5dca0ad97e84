// Socket reads into buffers that are read into again (node/read-buffers.ts), and the one way
// their bytes may leave the code that reads them: lent, until returned. Runtime-neutral: the
// session code that lends them runs in browsers too, where no read is ever reused.

/** A buffer that a stream reads into again once no lent view of it is out. */
export interface ReusedRead {
  /** Views of its bytes lent and not yet returned. */
  lent: number;
  /** The last lent view came back. */
  returned(): void;
}

/**
 * A reused read's buffer names it here. Not a WeakMap: with one, the buffers lent to
 * applications (never returned, dropped by them) outlived the scavenges that should have freed
 * them (1 GiB received at 8 KiB chunks: 38 MiB of them at the receiver's peak, 126 MiB RSS).
 */
const kRead = Symbol('reusedRead');
type Tagged = ArrayBufferLike & { [kRead]?: ReusedRead };

/** Marks `buffer` as one a stream reads into again (see {@link lendRead}). */
export function reuseRead(buffer: ArrayBufferLike, read: ReusedRead): void {
  (buffer as Tagged)[kRead] = read;
}

/**
 * Whoever keeps a view of bytes a stream delivered, past the call that delivered them, lends
 * it here first: a reused read is not read into again until {@link returnReads} gave the view
 * back. Nothing happens for bytes of a read that is not reused. Every other view must be
 * dropped (or copied) before the call returns.
 */
export function lendRead(view: Uint8Array): void {
  const read = (view.buffer as Tagged)[kRead];
  if (read !== undefined) read.lent++;
}

/**
 * Gives back views lent with {@link lendRead}, each once, when nothing reads them any more
 * (a piece written into its file and hashed): their buffers may be read into again.
 */
export function returnReads(views: readonly Uint8Array[]): void {
  for (const view of views) returnRead(view);
}

/** {@link returnReads} of one view. */
export function returnRead(view: Uint8Array): void {
  const read = (view.buffer as Tagged)[kRead];
  if (read !== undefined && --read.lent === 0) read.returned();
}
