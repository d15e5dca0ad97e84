// pg, loaded by the first PgCredentialStore or subscriber table that needs it: importing it
// costs ~14 MiB of RSS (measured: Node alone 41.0, with pg 55.5 MiB), which a relay with a
// users file or static credentials need not pay (issue 12, "Memory"). It is CommonJS, so
// `require` loads it at once, synchronously, as a static import would.
import type * as Pg from 'pg';

let pg: typeof Pg | undefined;

/** The `pg` module, required on first use. */
export function loadPg(): typeof Pg {
  return (pg ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)(
    'pg',
  ) as typeof Pg);
}
