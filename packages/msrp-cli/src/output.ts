// What a `msrp` command prints: results on stdout (text or JSON lines), status and errors on
// stderr.
/** Where a command writes: human lines or one JSON object per line on stdout, errors on stderr. */
export class Output {
  /** Writes one status or error line for humans; `msrp chat` redirects it above its prompt. */
  writeStatus: (line: string) => void = (line) =>
    void process.stderr.write(`${terminalSafe(line, process.stderr)}\n`);

  constructor(
    readonly command: string,
    readonly json: boolean,
  ) {}

  /** A result line (stdout): text in human mode, `event` in JSON mode. */
  result(text: string, event: Record<string, unknown>): void {
    process.stdout.write(
      this.json ? `${JSON.stringify(event)}\n` : `${terminalSafe(text, process.stdout)}\n`,
    );
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

/**
 * `text` as it may go to `stream`: on a terminal, its control characters (but line feed and
 * tab) shown in caret notation (`^[`, `^M`, `^?`; C1 as `\x9b`), as `cat -v` does. What a
 * peer sends (a chat line, a file name, a status comment) would otherwise be run by the
 * terminal: clear the screen, set the window title, hide what came before. Piped, it stays
 * as it came.
 */
export function terminalSafe(text: string, stream: { readonly isTTY?: boolean }): string {
  if (stream.isTTY !== true) return text;
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    return code === 0x7f ? '^?' : `\\x${code.toString(16)}`;
  });
}
