const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/**
 * Container types that may carry the types of `a=accept-wrapped-types` inside them
 * (RFC 4975 §8.6 names message/cpim; multipart bodies wrap parts the same way).
 */
export const CONTAINER_TYPES: readonly string[] = ['message/cpim', 'multipart/mixed'];

/**
 * Whether `text` is an accept-types entry (RFC 4975 §9 `format-entry`): `*`, `type/*` or
 * `type/subtype`. Never one whose type is `*`, as in HTTP's any-type range: SDP writes
 * "any type" as `*` alone.
 */
export function isAcceptType(text: string): boolean {
  if (text === '*') return true;
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const type = text.slice(0, slash);
  const sub = text.slice(slash + 1);
  // RFC 4975 §8.6 and §9 know two wildcards, `*` and `type/*`; a type is an RFC 2045 type name,
  // which `*` is not (though a token character). Taken, `*/*` would be an entry that
  // typeMatches never matches: a side that wrote it would accept nothing.
  return type !== '*' && TOKEN.test(type) && (sub === '*' || TOKEN.test(sub));
}

/**
 * Whether `type` (`type/subtype`, no parameters) is matched by the accept-types entry
 * `pattern` (`*`, `type/*` or `type/subtype`), case-insensitively.
 */
export function typeMatches(pattern: string, type: string): boolean {
  const p = pattern.toLowerCase();
  const t = type.toLowerCase();
  if (p === '*' || p === t) return true;
  return p.endsWith('/*') && t.startsWith(p.slice(0, -1));
}

/** The narrower of two accept-types entries when one covers the other, else undefined. */
function meet(a: string, b: string): string | undefined {
  if (a.toLowerCase() === b.toLowerCase()) return a;
  if (typeMatches(a, b)) return b;
  if (typeMatches(b, a)) return a;
  return undefined;
}

/**
 * The types both lists accept, honouring wildcards: `*` ∩ `text/plain` = `text/plain`,
 * `text/*` ∩ `text/html` = `text/html`, `text/*` ∩ `text/*` = `text/*`. The result keeps the
 * order of `a` and has no duplicates.
 */
export function intersectTypes(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const x of a) {
    for (const y of b) {
      const common = meet(x, y);
      if (common === undefined || seen.has(common.toLowerCase())) continue;
      seen.add(common.toLowerCase());
      out.push(common);
    }
  }
  // "text/*" and "text/plain" both present: the wildcard already says it all.
  return out.filter((t) => !out.some((u) => u !== t && typeMatches(u, t)));
}

/** Whether one of the accept-types covers a container that can wrap other types. */
export function acceptsContainer(acceptTypes: readonly string[]): boolean {
  return CONTAINER_TYPES.some((c) => acceptTypes.some((a) => typeMatches(a, c)));
}
