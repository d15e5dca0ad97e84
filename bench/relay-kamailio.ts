// Beside Kamailio (issue 13): the same transfer in 8 KiB chunks through our relay and through
// Kamailio's msrp module, alternating, in one run; our rate, Kamailio's and the ratio.
import { USERS } from './lib/users.js';
import { Peer, run, spread } from './relay-run.js';
import { findKamailio, startKamailio } from './lib/kamailio.js';
import { median, type Row } from './lib/measure.js';

const CHUNK = 8 * 1024;
const GOAL = 1.2;

/** Runs `rounds` transfers of `bytes` through each relay (the medians are compared). */
export async function runRelayKamailioBench(
  bytes: number,
  rounds: number,
  log: (line: string) => void,
): Promise<Row[]> {
  const mib = bytes / 1024 / 1024;
  const name = `${mib} MiB in ${CHUNK / 1024} KiB chunks through our relay vs Kamailio's msrp module`;
  const baselineIs =
    "the same endpoints and bytes through Kamailio's msrp module (children=1, tcp_children=2, no per-frame logs)";
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
  const kamailio = await startKamailio(bin, USERS);
  const relay = new Peer({ role: 'relay' });
  try {
    await relay.next('rss');
    const ours = { tcp: (await relay.next('ready')).uri!, peer: relay };
    const theirs = { tcp: kamailio.uri };
    const rates = { ours: [] as number[], kamailio: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      // Alternate the order, so that drift in the machine hits both alike.
      const order = round % 2 ? (['kamailio', 'ours'] as const) : (['ours', 'kamailio'] as const);
      for (const which of order) {
        log(`relay-kamailio: ${mib} MiB through ${which}, round ${round + 1}/${rounds}...`);
        const via = which === 'ours' ? ours : theirs;
        const result = await run('relay', via, { bytes, chunkSize: CHUNK });
        rates[which].push(result.rate);
        log(`relay-kamailio: ${which} ${(result.rate / 1e6).toFixed(1)} MB/s`);
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
    ];
  } finally {
    await relay.stop();
    await kamailio.stop();
  }
}
