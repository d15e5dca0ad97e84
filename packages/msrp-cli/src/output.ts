// What a `msrp` command prints: results on stdout (text or JSON lines), status and errors on
// stderr.
/** Where a command writes: human lines or one JSON object per line on stdout, errors on stderr. */
export class Output {
  /** Writes one status or error line for humans; `msrp chat` redirects it above its prompt. */
  writeStatus: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);

  constructor(
    readonly command: string,
    readonly json: boolean,
  ) {}

  /** A result line (stdout): text in human mode, `event` in JSON mode. */
  result(text: string, event: Record<string, unknown>): void {
    process.stdout.write(this.json ? `${JSON.stringify(event)}\n` : `${text}\n`);
  }

  /** A JSON event only (nothing in human mode). */
  event(event: Record<string, unknown>): void {
    if (this.json) process.stdout.write(`${JSON.stringify(event)}\n`);
  }

  /** A status line for humans (stderr), e.g. "connected"; JSON mode emits `event` instead. */
  status(text: string, event: Record<string, unknown>): void {
    if (this.json) this.event(event);
    else this.writeStatus(`${this.command}: ${text}`);
  }

  /** An error line on stderr (always), and an error event in JSON mode. */
  error(text: string, details: Record<string, unknown> = {}): void {
    this.writeStatus(`${this.command}: ${oneLine(text)}`);
    this.event({ event: 'error', message: oneLine(text), ...details });
  }
}

/** Collapses a message onto one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
