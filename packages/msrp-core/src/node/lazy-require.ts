// Dependencies required on first use (mime-types, fast-xml-parser: see their callers for what
// loading them at import costs), from their real path. Node's CommonJS loader resolves
// symlinks (pnpm's node_modules are all symlinks) with fs.realpathSync, which, for a folder it
// has seen before, goes by the process's last stat: after one of a pipe or socket
// (`fstatSync(0)`, standard input a pipe) it stops and keeps the symlink's path
// (nodejs/node#51142). A module loaded from there misses its own dependencies, which pnpm puts
// beside its real folder: mime-types failed with "Cannot find module 'mime-db'".

/** Requires `id` as resolved from this package, loaded from its real path. */
export function lazyRequire(id: string): unknown {
  const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);
  // realpathSync.native is the system's realpath(3): no shared stat result to mislead it.
  return require(process.getBuiltinModule('node:fs').realpathSync.native(require.resolve(id)));
}
