// Progress reporting of `msrp send`: a bar on a terminal, throttled JSON events for scripts.
import type { Progress } from '@msrp-ts/msrp-core';

/** Bytes for humans, binary units: `512 B`, `1.5 KiB`, `4.00 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** A rate in MB/s (decimal megabytes, as network rates are quoted). */
export function formatRate(bytesPerSecond: number): string {
  return `${(bytesPerSecond / 1e6).toFixed(2)} MB/s`;
}

/** Seconds as `m:ss` or `h:mm:ss`; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * One line of the progress bar, at most `width` characters:
 * `[=======>      ] 2.50 MiB / 5.00 MiB  50%  12.34 MB/s  ETA 0:01`.
 */
export function renderProgress(progress: Progress, width: number): string {
  const { bytes, total, rate } = progress;
  const eta = total !== undefined && rate > 0 ? (total - bytes) / rate : NaN;
  // Most important first: what is left out on a narrow terminal comes from the end.
  const parts =
    total === undefined
      ? [formatBytes(bytes), formatRate(rate)]
      : [
          `${formatBytes(bytes)} / ${formatBytes(total)}`,
          percent(bytes, total),
          formatRate(rate),
          `ETA ${formatDuration(eta)}`,
        ];
  let figures = parts.join('  ');
  while (figures.length > width && parts.length > 1) {
    parts.pop();
    figures = parts.join('  ');
  }
  const barWidth = Math.min(40, width - figures.length - 3);
  if (barWidth < 5 || total === undefined) return figures.slice(0, width);
  const filled = total === 0 ? barWidth : Math.floor((bytes / total) * barWidth);
  const bar =
    filled >= barWidth
      ? '='.repeat(barWidth)
      : `${'='.repeat(filled)}>${' '.repeat(barWidth - filled - 1)}`;
  return `[${bar}] ${figures}`;
}

function percent(bytes: number, total: number): string {
  const p = total === 0 ? 100 : Math.floor((bytes / total) * 100);
  return `${String(p).padStart(3)}%`;
}

/** What a reporter writes to: a terminal for the bar, any stream for JSON. */
export interface ProgressTarget {
  write(text: string): unknown;
  readonly columns?: number;
}

/**
 * Reports progress at most once per `interval` ms (the first report at once, the last
 * on {@link finish}); the bar mode redraws one terminal line in place.
 */
export class ProgressReporter {
  #last = -Infinity;
  #pending: Progress | undefined;
  #drawn = false;

  constructor(
    readonly target: ProgressTarget,
    readonly mode: 'bar' | 'json',
    readonly interval: number = mode === 'bar' ? 100 : 1000,
    readonly now: () => number = Date.now,
  ) {}

  update(progress: Progress): void {
    const t = this.now();
    if (t - this.#last < this.interval) {
      this.#pending = progress;
      return;
    }
    this.#last = t;
    this.#pending = undefined;
    this.#draw(progress);
  }

  /** Draws the last state (bar mode) and clears the line, so that a summary can follow. */
  finish(): void {
    if (this.mode !== 'bar') return;
    if (this.#pending) this.#draw(this.#pending);
    if (this.#drawn) this.target.write('\r\x1b[K');
    this.#drawn = false;
  }

  #draw(progress: Progress): void {
    if (this.mode === 'json') {
      const event = { event: 'progress', ...progress, rate: Math.round(progress.rate) };
      this.target.write(`${JSON.stringify(event)}\n`);
      return;
    }
    // A pseudo-terminal may report 0 columns.
    const width = Math.max(20, (this.target.columns || 80) - 1);
    this.target.write(`\r${renderProgress(progress, width)}\x1b[K`);
    this.#drawn = true;
  }
}
