// Resume benchmark (issue 12): a 1 GiB `msrp send --file` → `msrp listen` (the built commands
// as processes, through a tapping proxy) cut at 10 random points by killing the sender, the
// receiver or the connection, resumed each time. Prints the bytes re-sent beyond the ranges
// the listener missed (goal 0), the confirmed bytes sent twice (goal 0) and the hash check.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msrp } from './lib/cli-process.js';
import { runCuts } from './lib/resume-cut.js';
import type { LimitRow } from './transfer.js';
import { writeRandomFile } from './lib/random-file.js';

/** Runs the cut test on `bytes` with `cuts` cuts; returns its figures as limit rows. */
export async function runResumeBench(
  bytes: number,
  cuts: number,
  log: (line: string) => void,
): Promise<LimitRow[]> {
  const mib = bytes / 1024 / 1024;
  const dir = await mkdtemp(join(tmpdir(), 'msrp-bench-resume-'));
  try {
    const file = join(dir, 'payload.bin');
    log(`resume: writing a ${mib} MiB file...`);
    await writeRandomFile(file, bytes);
    const seed = Number(process.env.RESUME_CUT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    log(`resume: ${mib} MiB, ${cuts} cuts, seed ${seed} (RESUME_CUT_SEED=${seed} replays it)`);
    const result = await runCuts({
      file,
      size: bytes,
      outDir: join(dir, 'out'),
      cuts,
      seed,
      msrp: (args) => msrp(args),
      timeoutMs: 600_000,
      log: (line) => log(`resume: ${line}`),
    });
    const sum = (pick: (a: (typeof result.attempts)[number]) => number): number =>
      result.attempts.reduce((n, a) => n + pick(a), 0);
    const kinds = result.attempts
      .map((a) => a.cut)
      .filter((c) => c !== 'none')
      .join(',');
    const sent = sum((a) => a.sent);
    log(
      `resume: done in ${result.seconds.toFixed(1)} s; ${sent} file bytes on the wire for ${bytes} (cuts: ${kinds})`,
    );
    return [
      {
        name: `resume ${mib} MiB, ${cuts} cuts: bytes re-sent beyond the missing ranges`,
        value: sum((a) => a.beyondMissing),
        unit: 'B',
        limit: 1,
      },
      {
        name: `resume ${mib} MiB, ${cuts} cuts: confirmed bytes sent twice`,
        value: sum((a) => a.resentConfirmed),
        unit: 'B',
        limit: 1,
      },
      {
        name: `resume ${mib} MiB, ${cuts} cuts: whole-file SHA-256 mismatch (0 = matches)`,
        value: result.hashMatches ? 0 : 1,
        unit: '',
        limit: 1,
      },
      {
        name: `resume ${mib} MiB, ${cuts} cuts: file bytes on the wire beyond its size (unconfirmed, in flight at the cuts)`,
        value: ((sent - bytes) / bytes) * 100,
        unit: '%',
        limit: 10,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
