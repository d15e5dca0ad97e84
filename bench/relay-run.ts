// Driving the relay benchmark's processes (bench/relay-peer.ts) from the parent: one Peer per
// process, and one transfer run over a route with a fresh receiver.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import type { RelayPeerCommand, RelayPeerReport, Route } from './relay-peer.js';
import { median } from './lib/measure.js';
import { profileArgv, RELAY_NODE_FLAGS } from './lib/peer-process.js';

const peerScript = new URL('./relay-peer.js', import.meta.url).pathname;

type Ready = Extract<RelayPeerReport, { event: 'ready' }>;
type Done = Extract<RelayPeerReport, { event: 'done' }>;

/** A peer process with its reports. */
export class Peer {
  readonly child: ChildProcess;
  readonly #reports: RelayPeerReport[] = [];
  #notify: (() => void) | undefined;
  /** Why no more reports can come: the process exited or closed its IPC channel. */
  #gone: string | undefined;

  constructor(cmd: RelayPeerCommand) {
    // BENCH_PROFILE=DIR writes a CPU profile of every peer process into DIR, named by role.
    const name = `${cmd.role}${'route' in cmd ? `-${cmd.route}` : ''}`;
    this.child = fork(peerScript, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [
        '--expose-gc',
        ...profileArgv(name, cmd.role === 'relay' ? RELAY_NODE_FLAGS : undefined),
      ],
    });
    this.child.on('message', (r: RelayPeerReport) => {
      this.#reports.push(r);
      this.#notify?.();
    });
    // One listener each for the process's life (not one per wait, which would pile up).
    this.child.on('exit', (code) => {
      this.#gone = `exited with ${String(code)}`;
      this.#notify?.();
    });
    this.child.on('disconnect', () => {
      this.#gone ??= 'disconnected';
      this.#notify?.();
    });
    this.child.send(cmd);
  }

  /** The next report of `event` not yet taken. */
  async next<E extends RelayPeerReport['event']>(
    event: E,
  ): Promise<Extract<RelayPeerReport, { event: E }>> {
    for (;;) {
      const i = this.#reports.findIndex((r) => r.event === event);
      if (i >= 0) return this.#reports.splice(i, 1)[0] as Extract<RelayPeerReport, { event: E }>;
      // No report comes once the IPC channel closed (a peer that finished its work).
      if (this.#gone !== undefined) throw new Error(`peer ${this.#gone} before '${event}'`);
      await new Promise<void>((resolve) => (this.#notify = resolve));
    }
  }

  tell(type: 'measure' | 'stop' | 'cpu' | 'chat' | 'watch'): void {
    // The peer may have finished and disconnected already.
    if (this.child.connected) this.child.send({ type }, () => undefined);
  }

  async stop(): Promise<void> {
    this.tell('stop');
    const exited = this.child.exitCode === null ? once(this.child, 'exit') : Promise.resolve();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** The answer to 'cpu': CPU time, RSS and JS heap now (a relay's loop and GC figures too). */
  async usage(): Promise<Extract<RelayPeerReport, { event: 'cpu' }>> {
    this.tell('cpu');
    return this.next('cpu');
  }

  /** The answer to 'measure': RSS and live JS heap, after full GCs. */
  async measure(): Promise<Extract<RelayPeerReport, { event: 'rss' }>> {
    this.tell('measure');
    return this.next('rss');
  }

  /** The CPU time (user + system) the process has used so far, in ms. */
  async cpu(): Promise<number> {
    return (await this.usage()).ms;
  }

  /** The process's RSS now, in MiB. */
  async rss(): Promise<number> {
    return (await this.usage()).rssMiB;
  }

  /** The process's peak RSS so far, in MiB. */
  async peakRss(): Promise<number> {
    return (await this.usage()).maxRssMiB;
  }

  kill(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    const exited = once(this.child, 'exit').then(() => undefined);
    // SIGTERM first when profiling: a killed process writes no profile.
    this.child.kill(process.env.BENCH_PROFILE ? 'SIGTERM' : 'SIGKILL');
    return exited;
  }
}

/** Half the spread of `values`, relative to their median. */
export function spread(values: readonly number[]): number {
  return values.length < 2 ? 0 : (Math.max(...values) - Math.min(...values)) / 2 / median(values);
}

/** The relay process, where it listens: TCP, and WebSocket when asked for. */
export interface RelayUris {
  tcp: MsrpUri;
  ws?: MsrpUri;
  /** The relay's process, to read its CPU time. */
  peer?: Peer;
}

/** What one run measured. */
export interface RunResult {
  /** Units per second: bytes, or messages when `work.messages` is set. */
  rate: number;
  /**
   * CPU time each process spent on the work, in ms (relay: when its peer was given; pipe:
   * over the `pipe` route).
   */
  cpuMs: { sender: number; receiver: number; relay?: number; pipe?: number };
  /** Send→200 of the chat lines sent beside the transfer (`work.chatEvery`), in ms. */
  chatMs: number[];
  /** Send→arrival at the receiver of the same chat lines, in ms. */
  chatArrivalMs: number[];
}

/**
 * One sender run over `route`, with a fresh receiver (and pipe). Over `relay-ws` both
 * endpoints reach the relay over WebSocket.
 */
export async function run(
  route: Route,
  relay: RelayUris,
  work: {
    bytes: number;
    messages?: number;
    chunkSize: number;
    /** Chat lines beside the transfer, every this many ms; with the library's default window. */
    chatEvery?: number;
  },
): Promise<RunResult> {
  const via = route === 'relay' ? relay.tcp : route === 'relay-ws' ? relay.ws : undefined;
  if (route === 'relay-ws' && !via) throw new Error('the relay does not listen on WebSocket');
  const receiver = new Peer({
    role: 'receiver',
    chunkSize: work.chunkSize,
    ...(via && { relay: via }),
  });
  const ready: Ready = await receiver.next('ready');
  let pipe: Peer | undefined;
  try {
    let pipePort: number | undefined;
    if (route === 'pipe') {
      pipe = new Peer({ role: 'pipe', targetPort: ready.uri!.port! });
      pipePort = (await pipe.next('ready')).port;
    }
    const relayPeer = via && relay.peer;
    const before = {
      receiver: await receiver.cpu(),
      relay: await relayPeer?.cpu(),
      pipe: await pipe?.cpu(),
    };
    const sender = new Peer({
      role: 'sender',
      route,
      to: via ? ready.path! : [ready.uri!],
      ...(via && { relay: via }),
      ...(pipePort !== undefined && { pipePort }),
      chunkSize: work.chunkSize,
      bytes: work.bytes,
      ...(work.messages !== undefined && { messages: work.messages }),
      ...(work.chatEvery !== undefined && { chatEvery: work.chatEvery, defaultWindow: true }),
    });
    const done: Done = await sender.next('done');
    const receiverMs = (await receiver.cpu()) - before.receiver;
    const relayMs = relayPeer && (await relayPeer.cpu()) - before.relay!;
    const pipeMs = pipe && (await pipe.cpu()) - before.pipe!;
    receiver.tell('chat');
    const chatArrivalMs = (await receiver.next('chat')).ms;
    await sender.stop();
    const units = work.messages ?? done.bytes;
    return {
      rate: (units * 1000) / done.ms,
      cpuMs: {
        sender: done.cpuMs,
        receiver: receiverMs,
        ...(relayMs !== undefined && { relay: relayMs }),
        ...(pipeMs !== undefined && { pipe: pipeMs }),
      },
      chatMs: done.chatMs ?? [],
      chatArrivalMs,
    };
  } finally {
    await receiver.kill();
    await pipe?.stop();
  }
}
