/**
 * A `--import` argument for node or tsx whose resolve hook refuses every specifier ending with
 * one of `denied`: a test runs code with such modules made unloadable, to pin that it does
 * not load them (timing or memory would be too noisy to assert on a shared machine).
 */
export function denyImports(denied: readonly string[]): string {
  const hook = `export async function resolve(s, c, next) {
    if (${JSON.stringify(denied)}.some((d) => s.endsWith(d)))
      throw new Error('denied ' + s);
    return next(s, c);
  }`;
  const hookUrl = `data:text/javascript,${encodeURIComponent(hook)}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hookUrl)});`;
  return `data:text/javascript,${encodeURIComponent(register)}`;
}
