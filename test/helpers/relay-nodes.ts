// Three `msrp-relay` processes on one PostgreSQL database, started by examples/three-nodes.sh
// (the worked example of docs/scaling-out.md) on free loopback ports: each node's PID, its
// MSRP URI and its metrics URL, a way to kill one node, and a stop that ends them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { POSTGRES_BIN } from './postgres.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The realm the script gives its nodes and users (the users' domain in the database). */
export const NODES_REALM = 'example.net';

/** One relay node of {@link startRelayNodes}. */
export interface RelayNode {
  /** The PID of the relay process itself (node, not a shell or launcher). */
  readonly pid: number;
  /** The URI it listens on, e.g. `msrp://127.0.0.1:40123;tcp`. */
  readonly uri: MsrpUri;
  /** Its metrics server, e.g. `http://127.0.0.1:40124`. */
  readonly metricsUrl: string;
  /** A counter or gauge of its `/metrics` (Prometheus text), by exact name. */
  metric(name: string): Promise<number>;
}

/** The running nodes and the script that started them. */
export interface RelayNodes {
  readonly nodes: readonly [RelayNode, RelayNode, RelayNode];
  /** Kills node `i` (0-based) with SIGKILL, by its PID, and waits until it is gone. */
  kill(i: number): Promise<void>;
  /** SIGTERM to the script, which passes it on to the nodes left; waits for it to exit. */
  stop(): Promise<number | null>;
  /** What the script wrote on stderr so far (for failure messages). */
  stderr(): string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` every 20 ms until true; throws after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs examples/three-nodes.sh on `databaseUrl` with BASE_PORT=0 (free ports) and resolves
 * once all three nodes listen. The relays run the built JavaScript (`tsc -b` first).
 * @throws Error with the script's stderr when it exits or is not ready within 60 s.
 */
export async function startRelayNodes(databaseUrl: string, logDir: string): Promise<RelayNodes> {
  const env = {
    ...process.env,
    BASE_PORT: '0',
    REALM: NODES_REALM,
    LOG_DIR: logDir,
    // psql from the same PostgreSQL as the server, when it is not on the PATH.
    PATH: [POSTGRES_BIN, process.env.PATH].filter(Boolean).join(delimiter),
  };
  const script: ChildProcess = spawn('bash', [join(root, 'examples/three-nodes.sh'), databaseUrl], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  script.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = once(script, 'exit');
  const pids: number[] = [];
  const stop = async (): Promise<number | null> => {
    if (script.exitCode === null && script.signalCode === null) {
      script.kill('SIGTERM');
      await exited;
    }
    // Whatever the script could not stop (it was killed itself...): by PID, ours only.
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    return script.exitCode;
  };
  const nodes: RelayNode[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const lines = createInterface({ input: script.stdout! })[Symbol.asyncIterator]();
    const failed = exited.then(() => {
      throw new Error(`three-nodes.sh exited (${script.exitCode}):\n${stderr}`);
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`nodes not ready in 60 s:\n${stderr}`)), 60_000);
    });
    for (let n = 1; n <= 3; n++) {
      const line = await Promise.race([lines.next(), failed, late]);
      // node1 pid 4242 listening msrp://127.0.0.1:2855;tcp metrics http://127.0.0.1:9091
      const match = /^node(\d) pid (\d+) listening (\S+) metrics (\S+)$/.exec(
        line.done ? '' : line.value,
      );
      if (!match || Number(match[1]) !== n) throw new Error(`unexpected line: ${line.value}`);
      pids.push(Number(match[2]));
      const metricsUrl = match[4]!;
      nodes.push({
        pid: Number(match[2]),
        uri: parseUri(match[3]!),
        metricsUrl,
        metric: async (name) => {
          const text = await (await fetch(`${metricsUrl}/metrics`)).text();
          const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
          if (value === undefined) throw new Error(`no metric ${name} at ${metricsUrl}`);
          return Number(value);
        },
      });
    }
    failed.catch(() => undefined);
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return {
    nodes: nodes as unknown as RelayNodes['nodes'],
    kill: async (i) => {
      const pid = nodes[i]!.pid;
      process.kill(pid, 'SIGKILL');
      await until(() => !alive(pid), 10_000, `node ${i + 1} (pid ${pid}) to exit`);
    },
    stop,
    stderr: () => stderr,
  };
}
