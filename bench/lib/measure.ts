// Shared helpers for benchmarks: time an operation against a baseline doing the least work
// the same job needs, on the same input, in the same process, and print the ratio.
import { performance } from 'node:perf_hooks';

/**
 * One pass of the work being measured. Returns how many units it processed (bytes,
 * messages...), so that rates come out in units per second. May be async (e.g. a TCP transfer).
 */
export type Op = () => number | Promise<number>;

export interface MeasureOptions {
  /** Measured rounds per side; the median round is reported. */
  rounds: number;
  /** A round repeats the op until this many milliseconds have passed... */
  roundMs: number;
  /** ...or this many units were processed, whichever comes first (a byte budget). */
  roundUnits?: number;
  /** Milliseconds of running each op before measuring (JIT warm-up). */
  warmupMs: number;
}

/** ~2 s of measurement per side. */
export const FULL: MeasureOptions = { rounds: 7, roundMs: 300, warmupMs: 300 };
/** A smoke run: numbers are noisier. */
export const QUICK: MeasureOptions = { rounds: 3, roundMs: 100, warmupMs: 50 };

export interface Measurement {
  /** Median over the rounds, in units per second. */
  rate: number;
  /** Every round's rate, in the order measured. */
  rates: number[];
}

/** Runs `op` until `ms` have passed or `units` were processed; returns units per second. */
async function round(op: Op, ms: number, units = Infinity): Promise<number> {
  let done = 0;
  let elapsed: number;
  const t0 = performance.now();
  do {
    const r = op();
    done += typeof r === 'number' ? r : await r;
    elapsed = performance.now() - t0;
  } while (elapsed < ms && done < units);
  return (done * 1000) / elapsed;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The `p`th percentile of `values` (nearest rank); NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Measures one op alone. */
export async function measure(op: Op, opts: MeasureOptions): Promise<Measurement> {
  await round(op, opts.warmupMs);
  const rates: number[] = [];
  for (let i = 0; i < opts.rounds; i++) rates.push(await round(op, opts.roundMs, opts.roundUnits));
  return { rate: median(rates), rates };
}

/**
 * Measures `ours` and `baseline` in alternating rounds (swapping which goes first), so that
 * drift in clock speed, GC or neighbours' load hits both alike.
 */
export async function compare(
  ours: Op,
  baseline: Op,
  opts: MeasureOptions,
): Promise<{ ours: Measurement; baseline: Measurement }> {
  await round(ours, opts.warmupMs);
  await round(baseline, opts.warmupMs);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    if (i % 2 === 0) {
      a.push(await round(ours, opts.roundMs, opts.roundUnits));
      b.push(await round(baseline, opts.roundMs, opts.roundUnits));
    } else {
      b.push(await round(baseline, opts.roundMs, opts.roundUnits));
      a.push(await round(ours, opts.roundMs, opts.roundUnits));
    }
  }
  return { ours: { rate: median(a), rates: a }, baseline: { rate: median(b), rates: b } };
}

/** One line of a results table. Rates are in `unit`, higher is better. */
export interface Row {
  bench: string;
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  /** ours / baseline. */
  ratio: number;
  /** Half the spread of the rounds, relative to the median (noise indicator). */
  oursSpread: number;
  baselineSpread: number;
  /** What the baseline does. */
  baselineIs: string;
  /** Ratio the project aims for, if any. */
  goal?: number;
}

/** Unit conversions from units per second. */
export const UNITS = {
  /** Decimal megabytes per second, from bytes per second. */
  'MB/s': 1e-6,
  'msgs/s': 1,
  'ops/s': 1,
} as const;

function spread(m: Measurement): number {
  return (Math.max(...m.rates) - Math.min(...m.rates)) / 2 / m.rate;
}

/** Builds a {@link Row} from a {@link compare} result measured in units per second. */
export function toRow(
  bench: string,
  name: string,
  unit: keyof typeof UNITS,
  result: { ours: Measurement; baseline: Measurement },
  baselineIs: string,
  goal?: number,
): Row {
  const k = UNITS[unit];
  return {
    bench,
    name,
    unit,
    ours: result.ours.rate * k,
    baseline: result.baseline.rate * k,
    ratio: result.ours.rate / result.baseline.rate,
    oursSpread: spread(result.ours),
    baselineSpread: spread(result.baseline),
    baselineIs,
    ...(goal !== undefined && { goal }),
  };
}

const num = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const pct = (x: number): string => `±${(x * 100).toFixed(0)}%`;

/** Renders rows as a fixed-width text table, followed by what each baseline is. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['benchmark', 'ours', '', 'baseline', '', 'unit', 'ratio', 'goal'];
  const body = rows.map((r) => [
    `${r.bench}: ${r.name}`,
    num.format(r.ours),
    pct(r.oursSpread),
    num.format(r.baseline),
    pct(r.baselineSpread),
    r.unit,
    r.ratio >= 0.1 ? r.ratio.toFixed(2) : r.ratio.toPrecision(2),
    r.goal === undefined ? '' : `${r.ratio >= r.goal ? 'ok' : 'BELOW'} (≥${r.goal.toFixed(2)})`,
  ]);
  const all = [header, ...body];
  const width = header.map((_, c) => Math.max(...all.map((line) => line[c]!.length)));
  const left = new Set([0, 5, 7]);
  const fmt = (line: string[]): string =>
    line
      .map((cell, c) => (left.has(c) ? cell.padEnd(width[c]!) : cell.padStart(width[c]!)))
      .join('  ')
      .trimEnd();
  const lines = [fmt(header), width.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)];
  const byBaseline = new Map<string, string[]>();
  for (const r of rows)
    byBaseline.set(r.baselineIs, [...(byBaseline.get(r.baselineIs) ?? []), r.name]);
  if (byBaseline.size > 0)
    lines.push('', 'Baselines (measured in the same run on the same bytes):');
  for (const [what, names] of byBaseline) lines.push(`  ${names.join(', ')}:`, `    ${what}`);
  return lines.join('\n');
}
