// Beside Kamailio (issue 13): the same transfer in 8 KiB chunks through our relay and through
// Kamailio's msrp module, alternating, in one run; our rate, Kamailio's and the ratio, and the
// CPU each relay spent per chunk. Kamailio is set up as its docs deploy it: one main process
// and its TCP attendant, plus TCP_CHILDREN workers (three busy processes: it may use both of a
// 2-core machine's cores); ours is one Node process (one thread runs JavaScript). So the rate
// row compares deployments on the same cores, and the CPU row the work per chunk, all of
// Kamailio's processes summed.
import { USERS } from './lib/users.js';
import { Peer, run, spread } from './relay-run.js';
import { findKamailio, startKamailio } from './lib/kamailio.js';
import { median, type Row } from './lib/measure.js';

const CHUNK = 8 * 1024;
const GOAL = 1.2;
/** Kamailio's TCP worker processes (`tcp_children`); its default is 8, one per core is usual. */
const TCP_CHILDREN = 2;

/** Runs `rounds` transfers of `bytes` through each relay (the medians are compared). */
export async function runRelayKamailioBench(
  bytes: number,
  rounds: number,
  log: (line: string) => void,
): Promise<Row[]> {
  const mib = bytes / 1024 / 1024;
  const name = `${mib} MiB in ${CHUNK / 1024} KiB chunks through our relay vs Kamailio's msrp module`;
  const baselineIs = `the same endpoints and bytes through Kamailio's msrp module (children=1, tcp_children=${TCP_CHILDREN}: main + TCP attendant + ${TCP_CHILDREN} workers; write queues that hold the whole transfer, as it has no backpressure; no per-frame logs)`;
  const bin = findKamailio();
  if (bin === undefined) {
    // Never skipped silently: the row says why it has no figures.
    log('relay-kamailio: SKIPPED, kamailio is not installed (Debian: apt-get install kamailio)');
    const skipped = { ours: NaN, baseline: NaN, ratio: NaN, oursSpread: 0, baselineSpread: 0 };
    return [
      {
        bench: 'relay-kamailio',
        name: `${name} — SKIPPED: kamailio not installed`,
        unit: 'MB/s',
        ...skipped,
        baselineIs,
        goal: GOAL,
      },
    ];
  }
  const kamailio = await startKamailio(bin, USERS, TCP_CHILDREN, bytes);
  const relay = new Peer({ role: 'relay' });
  try {
    await relay.next('rss');
    const ours = { tcp: (await relay.next('ready')).uri!, peer: relay };
    const theirs = { tcp: kamailio.uri };
    const rates = { ours: [] as number[], kamailio: [] as number[] };
    // CPU µs per chunk: ours from the relay process, Kamailio's summed over all its processes.
    const cpu = { ours: [] as number[], kamailio: [] as number[] };
    const chunks = bytes / CHUNK;
    for (let round = 0; round < rounds; round++) {
      // Alternate the order, so that drift in the machine hits both alike.
      const order = round % 2 ? (['kamailio', 'ours'] as const) : (['ours', 'kamailio'] as const);
      for (const which of order) {
        log(`relay-kamailio: ${mib} MiB through ${which}, round ${round + 1}/${rounds}...`);
        const via = which === 'ours' ? ours : theirs;
        const kamailioBefore = kamailio.cpu();
        const result = await run('relay', via, { bytes, chunkSize: CHUNK }).catch(
          (error: unknown) => {
            // Kamailio's side of a failed run is in its log (dropped frames, closed connections).
            const tail =
              which === 'kamailio' ? `; Kamailio's log ends:\n${kamailio.log().slice(-3000)}` : '';
            throw new Error(`${error instanceof Error ? error.message : String(error)}${tail}`);
          },
        );
        const relayMs = which === 'ours' ? result.cpuMs.relay! : kamailio.cpu() - kamailioBefore;
        const usPerChunk = (relayMs * 1000) / chunks;
        rates[which].push(result.rate);
        cpu[which].push(usPerChunk);
        log(
          `relay-kamailio: ${which} ${(result.rate / 1e6).toFixed(1)} MB/s, relay CPU ${usPerChunk.toFixed(1)} µs per chunk`,
        );
      }
    }
    return [
      {
        bench: 'relay-kamailio',
        name,
        unit: 'MB/s',
        ours: median(rates.ours) / 1e6,
        baseline: median(rates.kamailio) / 1e6,
        ratio: median(rates.ours) / median(rates.kamailio),
        oursSpread: spread(rates.ours),
        baselineSpread: spread(rates.kamailio),
        baselineIs,
        goal: GOAL,
      },
      {
        // Not a rate: `ours`/`baseline` are µs (lower is better), so the ratio reads inverted.
        bench: 'relay-kamailio',
        name: `relay CPU per ${CHUNK / 1024} KiB chunk, ours vs Kamailio's (all its processes; µs; lower is better)`,
        unit: 'µs',
        ours: median(cpu.ours),
        baseline: median(cpu.kamailio),
        ratio: median(cpu.ours) / median(cpu.kamailio),
        oursSpread: spread(cpu.ours),
        baselineSpread: spread(cpu.kamailio),
        baselineIs: `Kamailio's main, attendant and ${TCP_CHILDREN} TCP worker processes, CPU summed (/proc)`,
      },
    ];
  } finally {
    await relay.stop();
    await kamailio.stop();
  }
}
