// One clock read per synchronous run: the chunks of one socket read, the messages of one
// sendMany turn, all get the same `Date.now()` (issue 12, small messages: a read per head and
// body piece was ~4 % of a receiver's CPU, one per message sent ~1.4 % of a sender's). A run
// is far shorter than the waits these times measure.

let now: number | undefined;
const forget = (): void => {
  now = undefined;
};

/** `Date.now()` as first read in this synchronous run; read again after the next microtask. */
export function runNow(): number {
  if (now === undefined) {
    now = Date.now();
    queueMicrotask(forget);
  }
  return now;
}
