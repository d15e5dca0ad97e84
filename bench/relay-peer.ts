// One process of the relay benchmark, driven over IPC by bench/relay.ts: the relay, a plain
// TCP byte pipe, a crowd of idle authenticated clients, an idle-socket holder, or an MSRP
// sender or receiver that talks directly, through the pipe, or through the relay. Each role
// is its own module, loaded by the process that plays it: a relay process loads the relay only.
import {
  cpuMs,
  heapMiB,
  maxRssMiB,
  relayFigures,
  report,
  rssMiB,
  type RelayPeerCommand,
} from './relay-peer-ipc.js';

export type { RelayPeerCommand, RelayPeerReport, Route } from './relay-peer-ipc.js';

// The parent ends receivers with SIGTERM when profiling: exit cleanly, so the profile is written.
process.once('SIGTERM', () => process.exit(0));

// Any role answers 'cpu' with its CPU time: CPU per byte does not depend on what else the
// machine runs, where rates do. A relay adds its event-loop and GC figures once it watches them.
process.on('message', (m: { type?: string }) => {
  if (m.type !== 'cpu') return;
  report({
    event: 'cpu',
    ms: cpuMs(),
    maxRssMiB: maxRssMiB(),
    rssMiB: rssMiB(),
    heapMiB: heapMiB(),
    ...relayFigures.read?.(),
  });
});

async function play(cmd: RelayPeerCommand): Promise<void> {
  switch (cmd.role) {
    case 'relay':
      return (await import('./relay-peer-relay.js')).relayRole(cmd.ws === true);
    case 'pipe':
      return (await import('./relay-peer-proxy.js')).pipeRole(cmd.targetPort);
    case 'floor':
      return (await import('./relay-peer-proxy.js')).floorRole();
    case 'hold':
      return (await import('./relay-peer-proxy.js')).holdRole(cmd.count);
    case 'crowd':
      return (await import('./relay-peer-endpoint.js')).crowdRole(cmd);
    case 'receiver':
      return (await import('./relay-peer-endpoint.js')).receiverRole(cmd);
    case 'sender':
      return (await import('./relay-peer-endpoint.js')).senderRole(cmd);
  }
}

process.once('message', (cmd: RelayPeerCommand) => {
  play(cmd).then(
    () => process.disconnect(),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
