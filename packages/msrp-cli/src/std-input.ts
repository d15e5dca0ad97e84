// Standard input as the input of a command (`msrp send --file -`, `msrp sdp`): a directory
// there (`< dir`, a typo for `< file`) is what Node reads as empty, not an error.
import { fstatSync } from 'node:fs';

/** Whether standard input is a directory (false when it cannot be told: closed). */
export function stdinIsDirectory(): boolean {
  try {
    // As bigint: a plain fstat of a pipe leaves its result where fs.realpathSync reads it, and
    // every module resolved after it then keeps its symlinks' paths (nodejs/node#51142).
    return fstatSync(0, { bigint: true }).isDirectory();
  } catch {
    return false;
  }
}
