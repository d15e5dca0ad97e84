// The command's signals, handled from its first moment. Without a handler SIGTERM and SIGHUP
// end a process (and PID 1 in a container ignores SIGTERM): one arriving while the relay
// loads its modules and reads its configuration (about 0.2 s) must not kill it, nor be lost.
// Imported first by the command, before any other module is loaded.

/** What the command does with SIGTERM, SIGINT and SIGHUP. */
export interface CommandSignals {
  /** The first SIGTERM or SIGINT after {@link opening}; a second one exits at once with 130. */
  readonly stop: Promise<NodeJS.Signals>;
  /** Whether a SIGTERM or SIGINT arrived. */
  readonly stopping: boolean;
  /**
   * Something is being opened (listeners): from now on a stop is the command's to carry out,
   * through {@link stop}. Before, nothing needs closing and the process exits 0 at once.
   */
  opening(): void;
  /**
   * The relay is ready: each SIGHUP calls `reload` from now on, and one that came before (while
   * starting) calls it now, once.
   */
  ready(reload: () => void): void;
  /** Not a relay after all (`msrp-relay users`): the signals' default actions again. */
  detach(): void;
}

function handleSignals(): CommandSignals {
  let opened = false;
  let stopping = false;
  let reload: (() => void) | undefined;
  let reloadPending = false;
  let stopped: (signal: NodeJS.Signals) => void = () => {};
  const stop = new Promise<NodeJS.Signals>((resolve) => (stopped = resolve));
  const onStop = (signal: NodeJS.Signals): void => {
    // A second one means: now (a drain in progress is abandoned).
    if (stopping) process.exit(130);
    stopping = true;
    if (opened) return stopped(signal);
    process.stderr.write(`msrp-relay: ${signal} while starting, nothing opened yet: exiting\n`);
    process.exit(0);
  };
  const onReload = (): void => {
    if (reload) reload();
    else reloadPending = true;
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onReload);
  return {
    stop,
    get stopping() {
      return stopping;
    },
    opening: () => void (opened = true),
    ready: (then) => {
      reload = then;
      if (reloadPending) then();
      reloadPending = false;
    },
    detach: () => {
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      process.off('SIGHUP', onReload);
    },
  };
}

/** The command's signals, handled since this module was loaded. */
export const signals: CommandSignals = handleSignals();
