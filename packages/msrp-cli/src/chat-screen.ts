// Output of `msrp chat` on a terminal: incoming lines appear above the line being typed
// instead of in the middle of it.
import { clearLine, cursorTo, type Interface } from 'node:readline';

/**
 * Prints `text` (a line, or several) above the line being typed: clears the prompt line,
 * writes the text, then redraws the prompt and the partial input where the user left it.
 * @param rl The readline interface reading the user's input, with the terminal as output.
 * @param stream Where the text goes (stdout for messages, stderr for status lines); on a
 * terminal both are the same screen.
 */
export function printAbove(rl: Interface, stream: NodeJS.WritableStream, text: string): void {
  cursorTo(stream, 0);
  clearLine(stream, 0);
  stream.write(`${text}\n`);
  rl.prompt(true);
}
