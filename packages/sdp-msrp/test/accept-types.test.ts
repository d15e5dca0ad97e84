import { describe, expect, it } from 'vitest';
import { acceptsContainer, intersectTypes, isAcceptType, typeMatches } from '../src/index.js';

describe('accept-types', () => {
  it('recognises *, type/* and type/subtype only', () => {
    for (const ok of ['*', 'text/*', 'text/plain', 'application/vnd.gsma.rcs-ft-http+xml']) {
      expect(isAcceptType(ok)).toBe(true);
    }
    for (const bad of ['', 'text', 'text/', 'text/pl ain', 'text/plain;charset=utf-8', 'a b/c']) {
      expect(isAcceptType(bad)).toBe(false);
    }
  });

  // RFC 4975 §9: format-entry is "*", type "/" "*" or type "/" subtype, and a type is an RFC
  // 2045 type name, which "*" is not: the HTTP-style */* would pass as an entry that
  // typeMatches then never matches, so a side writing it would accept nothing at all.
  it('refuses a wildcard type (*/*, */plain): an entry it takes is one typeMatches understands', () => {
    for (const bad of ['*/*', '*/plain']) expect(isAcceptType(bad)).toBe(false);
    for (const ok of ['*', 'text/*', 'text/plain']) {
      expect(isAcceptType(ok)).toBe(true);
      expect(typeMatches(ok, 'text/plain')).toBe(true);
    }
  });

  it('matches with wildcards, case-insensitively', () => {
    expect(typeMatches('*', 'image/png')).toBe(true);
    expect(typeMatches('text/*', 'TEXT/HTML')).toBe(true);
    expect(typeMatches('Text/Plain', 'text/plain')).toBe(true);
    expect(typeMatches('text/*', 'textual/x')).toBe(false);
    expect(typeMatches('text/plain', 'text/html')).toBe(false);
  });

  it('intersects honouring wildcards, in the first list order, without duplicates', () => {
    expect(intersectTypes(['text/plain', 'message/cpim'], ['*'])).toEqual([
      'text/plain',
      'message/cpim',
    ]);
    expect(intersectTypes(['*'], ['text/*', 'image/png'])).toEqual(['text/*', 'image/png']);
    expect(intersectTypes(['text/*'], ['text/html', 'TEXT/plain', 'image/png'])).toEqual([
      'text/html',
      'TEXT/plain',
    ]);
    expect(intersectTypes(['text/*', 'text/plain'], ['text/*'])).toEqual(['text/*']);
    expect(intersectTypes(['text/plain', 'text/plain'], ['Text/Plain'])).toEqual(['text/plain']);
    expect(intersectTypes(['image/png'], ['text/*'])).toEqual([]);
    expect(intersectTypes([], ['*'])).toEqual([]);
  });

  it('knows when a container that can wrap other types is accepted', () => {
    expect(acceptsContainer(['text/plain', 'message/cpim'])).toBe(true);
    expect(acceptsContainer(['message/*'])).toBe(true);
    expect(acceptsContainer(['*'])).toBe(true);
    expect(acceptsContainer(['text/plain'])).toBe(false);
  });
});
