// Relay benchmark: the same MSRP transfer sent directly, through a plain TCP byte pipe (the
// cheapest possible proxy) and through msrp-relay, every party in its own process; small
// messages per second through the relay, the pipe and a minimal forwarder (the floor); memory per
// idle authenticated session.
import type { Route } from './relay-peer.js';
import { Peer, run, spread } from './relay-run.js';
import { median, percentile, type Row } from './lib/measure.js';
import { CHAT_LIMIT_MS, DEFAULT_CHUNK, RSS_LIMIT_MIB, type LimitRow } from './transfer.js';

/** Issue 13's goal for the relay's memory per idle authenticated session, in KiB. */
const IDLE_SESSION_KIB = 8;

export interface RelayBenchResult {
  rows: Row[];
  limits: LimitRow[];
}

/**
 * Runs the relay benchmark. `bytes` per transfer (1 GiB by default), `rounds` runs per
 * route (the median is reported), `sessions` idle clients for the memory figure.
 */
export async function runRelayBench(
  bytes: number,
  rounds: number,
  sessions: number,
  log: (line: string) => void,
): Promise<RelayBenchResult> {
  const mib = bytes / 1024 / 1024;
  const rows: Row[] = [];
  const limits: LimitRow[] = [];

  // Memory first, on a fresh relay: RSS before and after `sessions` clients authenticate,
  // from several client processes (each holds a few thousand sockets: RLIMIT_NOFILE).
  const crowds = Math.ceil(sessions / 5000);
  const share = (i: number): number =>
    Math.floor(sessions / crowds) + (i < sessions % crowds ? 1 : 0);
  log(`relay: memory of ${sessions} idle authenticated sessions (${crowds} client processes)...`);
  const memRelay = new Peer({ role: 'relay' });
  const before = await memRelay.next('rss');
  const memUri = (await memRelay.next('ready')).uri!;
  const crowd = Array.from(
    { length: crowds },
    (_, i) => new Peer({ role: 'crowd', relay: memUri, count: share(i) }),
  );
  await Promise.all(crowd.map((c) => c.next('done')));
  memRelay.tell('measure');
  const after = await memRelay.next('rss');
  await Promise.all(crowd.map((c) => c.stop()));
  await memRelay.stop();
  log(`relay: memory of ${sessions} idle plain TCP connections in a bare Node server...`);
  const hold = new Peer({ role: 'hold', count: sessions });
  const holdBefore = (await hold.next('rss')).rssMiB;
  const holdPort = (await hold.next('ready')).port!;
  const sockets = Array.from(
    { length: crowds },
    (_, i) =>
      new Peer({ role: 'crowd', relay: memUri, count: share(i), sockets: true, port: holdPort }),
  );
  await Promise.all(sockets.map((c) => c.next('done')));
  hold.tell('measure');
  const holdAfter = (await hold.next('rss')).rssMiB;
  await Promise.all(sockets.map((c) => c.stop()));
  await hold.stop();
  const perSession = ((after.rssMiB - before.rssMiB) * 1024) / sessions;
  const heapPerSession = ((after.heapMiB - before.heapMiB) * 1024) / sessions;
  const perSocket = ((holdAfter - holdBefore) * 1024) / sessions;
  rows.push({
    bench: 'relay',
    name: `memory per idle authenticated session (${sessions} sessions, KiB; lower is better)`,
    unit: 'KiB',
    ours: perSession,
    baseline: perSocket,
    ratio: perSession / perSocket,
    oursSpread: 0,
    baselineSpread: 0,
    baselineIs: `a bare Node TCP server holding ${sessions} idle connections (RSS growth per connection)`,
  });
  limits.push(
    {
      name: `relay RSS per idle authenticated session (${sessions} sessions)`,
      value: perSession,
      unit: 'KiB',
      limit: IDLE_SESSION_KIB,
    },
    {
      name: `relay JS heap per idle authenticated session (${sessions} sessions)`,
      value: heapPerSession,
      unit: 'KiB',
      limit: IDLE_SESSION_KIB,
    },
    {
      // Projected: one process here may hold at most 20,000 sockets (RLIMIT_NOFILE 20000,
      // a hard limit in this container), so 100,000 connections cannot be opened to measure.
      name: `relay RSS for 100,000 idle sessions, projected from ${sessions} (RLIMIT_NOFILE 20000 here)`,
      value: before.rssMiB + (perSession * 100_000) / 1024,
      unit: 'MiB',
      limit: 1024,
    },
  );
  // 100,000 sessions do fit in one process over fewer connections: 100 per connection.
  const shared = sessions >= 10_000 ? 100_000 : 10_000;
  const connections = shared / 100;
  log(`relay: memory of ${shared} idle authenticated sessions over ${connections} connections...`);
  const sharedRelay = new Peer({ role: 'relay' });
  const sharedBefore = await sharedRelay.next('rss');
  const sharedUri = (await sharedRelay.next('ready')).uri!;
  const authors = Array.from(
    { length: 4 },
    (_, i) =>
      new Peer({
        role: 'crowd',
        relay: sharedUri,
        count: Math.floor(connections / 4) + (i < connections % 4 ? 1 : 0),
        perConnection: 100,
      }),
  );
  await Promise.all(authors.map((c) => c.next('done')));
  sharedRelay.tell('measure');
  const sharedAfter = await sharedRelay.next('rss');
  await Promise.all(authors.map((c) => c.stop()));
  await sharedRelay.stop();
  limits.push(
    {
      name: `relay RSS with ${shared} idle authenticated sessions over ${connections} connections (measured)`,
      value: sharedAfter.rssMiB,
      unit: 'MiB',
      limit: shared === 100_000 ? 1024 : 1024 / 10,
    },
    {
      name: `relay RSS per idle session, 100 sessions per connection (${shared} sessions)`,
      value: ((sharedAfter.rssMiB - sharedBefore.rssMiB) * 1024) / shared,
      unit: 'KiB',
      limit: IDLE_SESSION_KIB,
    },
  );

  const relay = new Peer({ role: 'relay' });
  await relay.next('rss');
  const relayUri = { tcp: (await relay.next('ready')).uri! };
  try {
    const chunkSize = 1024 * 1024;
    const rates: Record<Exclude<Route, 'relay-ws'>, number[]> = { direct: [], pipe: [], relay: [] };
    for (let round = 0; round < rounds; round++) {
      // Alternate the order, so that drift in the machine hits all routes alike.
      const order: Exclude<Route, 'relay-ws'>[] =
        round % 2 ? ['relay', 'pipe', 'direct'] : ['direct', 'pipe', 'relay'];
      for (const route of order) {
        log(`relay: ${mib} MiB ${route}, round ${round + 1}/${rounds}...`);
        rates[route].push((await run(route, relayUri, { bytes, chunkSize })).rate);
      }
    }
    const mb = (r: number[]): number => median(r) / 1e6;
    const row = (
      name: string,
      base: 'pipe' | 'direct',
      baselineIs: string,
      goal?: number,
    ): Row => ({
      bench: 'relay',
      name,
      unit: 'MB/s',
      ours: mb(rates.relay),
      baseline: mb(rates[base]),
      ratio: median(rates.relay) / median(rates[base]),
      oursSpread: spread(rates.relay),
      baselineSpread: spread(rates[base]),
      baselineIs,
      ...(goal !== undefined && { goal }),
    });
    rows.push(
      row(
        `${mib} MiB through the relay vs a plain TCP pipe (1 MiB chunks)`,
        'pipe',
        'the same MSRP endpoints and bytes through a plain TCP byte pipe process (socket.pipe both ways)',
        0.7,
      ),
      row(
        `${mib} MiB through the relay vs endpoint to endpoint`,
        'direct',
        'the same MSRP endpoints and bytes, sender connected straight to the receiver',
      ),
    );
    const messages = bytes >= 512 * 1024 * 1024 ? 20_000 : 5_000;
    // `floor`: a minimal forwarder that parses only the paths (relay-floor.ts), in the relay's
    // place: what relaying costs in JS on this machine, below which the relay cannot go.
    type SmallRoute = 'pipe' | 'relay' | 'floor';
    const small: Record<SmallRoute, number[]> = { pipe: [], relay: [], floor: [] };
    // CPU µs per message: of the middle process (relay, floor or pipe), and of all three
    // processes. The three take turns over the window of 64, so the rate is about 1 / their sum.
    const middleUs: Record<SmallRoute, number[]> = { pipe: [], relay: [], floor: [] };
    const allUs: Record<SmallRoute, number[]> = { pipe: [], relay: [], floor: [] };
    const withPeer = { ...relayUri, peer: relay };
    const floor = new Peer({ role: 'floor' });
    try {
      const viaFloor = { tcp: (await floor.next('ready')).uri!, peer: floor };
      for (let round = 0; round < rounds; round++) {
        const order: SmallRoute[] =
          round % 2 ? ['relay', 'floor', 'pipe'] : ['pipe', 'floor', 'relay'];
        for (const route of order) {
          log(`relay: ${messages} small messages ${route}, round ${round + 1}/${rounds}...`);
          const result =
            route === 'floor'
              ? await run('relay', viaFloor, { bytes: 0, messages, chunkSize: 8192 })
              : await run(route, withPeer, { bytes: 0, messages, chunkSize: 8192 });
          small[route].push(result.rate);
          const { sender, receiver } = result.cpuMs;
          const middle = (route === 'pipe' ? result.cpuMs.pipe : result.cpuMs.relay) ?? NaN;
          const us = (ms: number): number => (ms * 1000) / messages;
          middleUs[route].push(us(middle));
          allUs[route].push(us(sender + receiver + middle));
          log(
            `relay: ${route} ${result.rate.toFixed(0)} msgs/s; CPU per message: sender ` +
              `${us(sender).toFixed(1)}, receiver ${us(receiver).toFixed(1)}, ${route} ` +
              `${us(middle).toFixed(1)} µs`,
          );
        }
      }
    } finally {
      await floor.stop();
    }
    const vsPipe = (
      name: string,
      unit: string,
      values: Record<SmallRoute, number[]>,
      ours: 'relay' | 'floor',
      baselineIs: string,
      goal?: number,
    ): Row => ({
      bench: 'relay',
      name,
      unit,
      ours: median(values[ours]),
      baseline: median(values.pipe),
      ratio: median(values[ours]) / median(values.pipe),
      oursSpread: spread(values[ours]),
      baselineSpread: spread(values.pipe),
      baselineIs,
      ...(goal !== undefined && { goal }),
    });
    const sum =
      'sender + pipe + receiver: the rate is about 1 / this sum (the processes take turns)';
    rows.push(
      vsPipe(
        `100-byte messages through the relay, 64 in flight, each confirmed by a success REPORT`,
        'msgs/s',
        small,
        'relay',
        'the same messages through the plain TCP pipe',
        0.9,
      ),
      vsPipe(
        'CPU per 100-byte message, the relay process vs the pipe process (µs; lower is better)',
        'µs/msg',
        middleUs,
        'relay',
        'the plain TCP pipe process, the same messages',
      ),
      vsPipe(
        'CPU per 100-byte message, sender + relay + receiver vs through the pipe (µs; lower is better)',
        'µs/msg',
        allUs,
        'relay',
        sum,
      ),
      vsPipe(
        '100-byte messages through a minimal forwarder that parses only the paths (the floor of a JS relay)',
        'msgs/s',
        small,
        'floor',
        'the same messages through the plain TCP pipe',
      ),
      vsPipe(
        'CPU per 100-byte message, the minimal forwarder vs the pipe process (µs; lower is better)',
        'µs/msg',
        middleUs,
        'floor',
        'the plain TCP pipe process, the same messages',
      ),
      vsPipe(
        'CPU per 100-byte message, sender + minimal forwarder + receiver vs through the pipe (µs; lower is better)',
        'µs/msg',
        allUs,
        'floor',
        sum,
      ),
    );
  } finally {
    await relay.stop();
  }

  // The default chunk size through a fresh relay, with the library's default window and a
  // chat line every 20 ms beside it: the relay's peak RSS and the chat's send→200.
  log(`relay: ${mib} MiB through the relay, ${DEFAULT_CHUNK / 1024} KiB chunks, chat beside...`);
  const fresh = new Peer({ role: 'relay' });
  await fresh.next('rss');
  try {
    const uris = { tcp: (await fresh.next('ready')).uri!, peer: fresh };
    const { rate, chatMs, chatArrivalMs } = await run('relay', uris, {
      bytes,
      chunkSize: DEFAULT_CHUNK,
      chatEvery: 20,
    });
    // Its peak RSS grows with this rate: the reads and chunks in flight while it forwards.
    log(
      `relay: ${DEFAULT_CHUNK / 1024} KiB chunks with chat beside: ${(rate / 1e6).toFixed(0)} MB/s`,
    );
    limits.push({
      name: `relay peak RSS (${mib} MiB, ${DEFAULT_CHUNK / 1024} KiB chunks)`,
      value: await fresh.peakRss(),
      unit: 'MiB',
      limit: RSS_LIMIT_MIB,
    });
    limits.push({
      name: `chat send→200 p99 through the relay during a transfer (${chatMs.length} msgs)`,
      value: percentile(chatMs, 99),
      unit: 'ms',
      limit: CHAT_LIMIT_MS,
    });
    // The 200 is the relay's (hop by hop, RFC 4976 §7.2): it says nothing of the wait behind
    // the file's chunks from the relay on, in its queue and the kernel's buffers toward the
    // receiver. Send→arrival is what the user at the other end sees.
    limits.push({
      name: `chat send→arrival p99 through the relay during a transfer (${chatArrivalMs.length} msgs)`,
      value: percentile(chatArrivalMs, 99),
      unit: 'ms',
      limit: CHAT_LIMIT_MS,
    });
  } finally {
    await fresh.stop();
  }
  return { rows, limits };
}
