// Where the command's logs go: stderr, written asynchronously so that a slow log reader never
// holds up forwarding, and given up on once its reader is gone.
import { once } from 'node:events';
import sonicBoom from 'sonic-boom';

// CommonJS: the module is the class, and has it as `SonicBoom` too (what its types declare).
const { SonicBoom } = sonicBoom;

/** The stream pino writes the logs to, and the wait for them to be written. */
export interface LogDestination {
  readonly stream: InstanceType<typeof SonicBoom>;
  /**
   * Resolves once what was logged is written (pino's flush calls back with a write still in
   * flight), or at once when the log pipe broke.
   */
  written(): Promise<void>;
}

/**
 * stderr as pino's destination. A write that fails (EPIPE: a journald restart, `| head`)
 * calls `broken` once, for the logger to go silent: the relay serves on without logs.
 */
export function stderrDestination(broken: () => void): LogDestination {
  // sonic-boom 5, not pino's 4: at exit, 4's flushSync retried a write that failed with
  // EPIPE every 100 ms, forever, so a relay whose log pipe broke could never exit.
  const stream = new SonicBoom({ fd: 2, sync: false });
  let failed = false;
  stream.on('error', () => {
    if (failed) return;
    failed = true;
    broken();
  });
  // pino flushes only destinations it made itself: lines still queued go out at exit.
  process.on('exit', () => {
    if (failed) return;
    try {
      stream.flushSync();
    } catch {
      // The pipe broke as we exit: nothing more to do.
    }
  });
  return {
    stream,
    written: async () => {
      if (failed) return;
      const drained = once(stream, 'drain');
      stream.write('');
      // once() rejects on 'error': the pipe broke while we waited.
      await drained.catch(() => undefined);
    },
  };
}
