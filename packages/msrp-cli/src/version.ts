// The version `msrp --version` prints: the one in this package's package.json.
import { readFileSync } from 'node:fs';

/** The version of @msrp-ts/msrp-cli; the same path works from src/ and dist/. */
export function packageVersion(): string {
  const json = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(json) as { version: string }).version;
}
