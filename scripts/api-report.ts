// `pnpm api` / `pnpm api:check`: the API report of each package entry point, so that an API
// change shows up in review. For every subpath of a package's "exports" it reads the built
// .d.ts (dist/, as published: stripInternal applied), lists the exported names sorted, each
// with its declaration as TypeScript prints it without comments, and writes
// packages/<name>/etc/<name>[.<subpath>].api.md. With --check it writes nothing and exits 1
// when a report differs from what is committed.
//
// Why not @microsoft/api-extractor: it takes one entry point per run (rushstack issue #1596,
// open since 2019), and msrp-core has three (".", "./uri", "./internal"); it also analyses with
// the TypeScript it bundles, not the project's 6.0. The report here is the part we use: names
// and signatures, per entry point, diffable.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));

/** One entry point of a package: `@msrp-ts/msrp-core/internal` and the .d.ts behind it. */
interface EntryPoint {
  packageName: string;
  /** Folder under packages/. */
  dir: string;
  /** "." or "./internal"... */
  subpath: string;
  types: string;
}

interface Manifest {
  name: string;
  exports?: Record<string, { types?: string }>;
}

/** The entry points of every package under packages/, from their "exports" maps. */
async function entryPoints(): Promise<EntryPoint[]> {
  const entries: EntryPoint[] = [];
  for (const dir of (await readdir(join(root, 'packages'))).sort()) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Manifest;
    for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
      if (!entry.types) throw new Error(`${manifest.name} exports ${subpath} without types`);
      entries.push({
        packageName: manifest.name,
        dir,
        subpath,
        types: join(root, 'packages', dir, entry.types),
      });
    }
  }
  return entries;
}

/** Where the report of an entry point lives: etc/msrp-core.api.md, etc/msrp-core.internal.api.md. */
function reportPath(entry: EntryPoint): string {
  const suffix = entry.subpath === '.' ? '' : `.${entry.subpath.replace(/^\.\//, '')}`;
  return join(root, 'packages', entry.dir, 'etc', `${entry.dir}${suffix}.api.md`);
}

/** The statement that declares `node`, printed without comments. */
function declarationText(node: ts.Declaration, printer: ts.Printer): string {
  // A const's declaration is one declarator; print its statement for `declare const`.
  const printed =
    ts.isVariableDeclaration(node) && ts.isVariableStatement(node.parent.parent)
      ? node.parent.parent
      : node;
  return printer.printNode(ts.EmitHint.Unspecified, printed, node.getSourceFile());
}

/** `@msrp-ts/msrp-core/internal` for an entry point. */
function title(entry: EntryPoint): string {
  return entry.subpath === '.'
    ? entry.packageName
    : `${entry.packageName}/${entry.subpath.slice(2)}`;
}

/** The symbols an entry point exports, resolved through re-exports. */
function exportsOf(entry: EntryPoint, checker: ts.TypeChecker, program: ts.Program): ts.Symbol[] {
  const source = program.getSourceFile(entry.types);
  if (!source) throw new Error(`${entry.types} is missing: run tsc -b first`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${entry.types} is not a module`);
  const exported = checker.getExportsOfModule(module);
  return exported.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function resolved(symbol: ts.Symbol, checker: ts.TypeChecker): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * Our own types that `node` names but the entry point does not export (api-extractor's
 * "forgotten export"): a user can reach them only through the declarations that use them.
 */
function referenced(node: ts.Node, checker: ts.TypeChecker, into: Set<ts.Symbol>): void {
  const name = ts.isTypeReferenceNode(node)
    ? node.typeName
    : ts.isExpressionWithTypeArguments(node)
      ? node.expression
      : ts.isTypeQueryNode(node)
        ? node.exprName
        : undefined;
  const symbol = name && checker.getSymbolAtLocation(name);
  if (symbol) {
    const target = resolved(symbol, checker);
    const file = target.declarations?.[0]?.getSourceFile().fileName ?? '';
    if (file.startsWith(join(root, 'packages')) && !(target.flags & ts.SymbolFlags.TypeParameter)) {
      into.add(target);
    }
  }
  ts.forEachChild(node, (child) => referenced(child, checker, into));
}

/** The report of one entry point, as markdown. */
function report(
  entry: EntryPoint,
  program: ts.Program,
  exporters: ReadonlyMap<ts.Symbol, readonly string[]>,
): string {
  const checker = program.getTypeChecker();
  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  const blocks: string[] = [];
  const exported = exportsOf(entry, checker, program);
  const own = new Set(exported.map((s) => resolved(s, checker)));
  const used = new Set<ts.Symbol>();
  for (const symbol of exported) {
    const target = resolved(symbol, checker);
    const declarations = target.declarations ?? [];
    for (const d of declarations) referenced(d, checker, used);
    const texts = declarations.map((d) => declarationText(d, printer));
    // Where a name is exported under another name, or only as a type, say so.
    const notes: string[] = [];
    if (target.name !== symbol.name) notes.push(`// exported as ${symbol.name}`);
    const typeOnly = symbol.declarations?.some(
      (d) =>
        (ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly)) ||
        ts.isTypeOnlyImportOrExportDeclaration(d),
    );
    if (typeOnly && target.flags & ts.SymbolFlags.Value) notes.push('// exported as a type only');
    blocks.push([...notes, ...texts].join('\n'));
  }
  const forgotten = [...used]
    .filter((s) => !own.has(s))
    .map((s) => `- \`${s.name}\`: ${exporters.get(s)?.join(', ') ?? 'exported by no entry point'}`)
    .sort();
  return [
    `# API report: \`${title(entry)}\``,
    '',
    '<!-- Generated by `pnpm api` (scripts/api-report.ts) from the built .d.ts; do not edit. -->',
    '',
    `${exported.length} exports.`,
    '',
    '```ts',
    blocks.join('\n\n'),
    '```',
    '',
    '## Referenced, not exported here',
    '',
    'Types of the packages that the declarations above name, and where they are exported.',
    '',
    ...(forgotten.length > 0 ? forgotten : ['None.']),
    '',
  ].join('\n');
}

/** Formats a report as the rest of the repository is formatted, so prettier --check agrees. */
async function formatted(markdown: string, file: string): Promise<string> {
  const options = (await resolveConfig(file)) ?? {};
  return format(markdown, { ...options, filepath: file });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const entries = await entryPoints();
  // As a consumer sees them: plain Node resolution of the built packages, no "source" condition.
  const program = ts.createProgram(
    entries.map((e) => e.types),
    {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    },
  );
  const checker = program.getTypeChecker();
  const exporters = new Map<ts.Symbol, string[]>();
  for (const entry of entries) {
    for (const symbol of exportsOf(entry, checker, program)) {
      const target = resolved(symbol, checker);
      exporters.set(target, [...(exporters.get(target) ?? []), `\`${title(entry)}\``]);
    }
  }
  const stale: string[] = [];
  for (const entry of entries) {
    const file = reportPath(entry);
    const text = await formatted(report(entry, program, exporters), file);
    const old = existsSync(file) ? await readFile(file, 'utf8') : undefined;
    if (text === old) continue;
    if (check) {
      stale.push(relative(root, file));
      continue;
    }
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, text);
    console.log(`wrote ${relative(root, file)}`);
  }
  if (stale.length > 0) {
    console.error(
      `The public API changed: ${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} out of date.\n` +
        'Run `pnpm api` and commit the reports, so that the change is reviewed.',
    );
    process.exitCode = 1;
  }
}

await main();
