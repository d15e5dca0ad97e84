// fast-check properties of the CPIM codec: §2.3 escapes round-trip any text, any header
// value survives createCpim → formatCpim → parseCpim, and random or mutated bytes give a
// message or an MSRP_ERR_CPIM, never another error.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MsrpError,
  createCpim,
  escapeCpim,
  formatCpim,
  parseCpim,
  unescapeCpim,
} from '../src/index.js';

/** Text that UTF-8 can carry: no lone surrogates. */
const wellFormed = (s: string): boolean => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};
const anyText = fc.string({ unit: 'binary', maxLength: 60 }).filter(wellFormed);
const uri = fc
  .stringMatching(/^[a-z]{2,5}:[A-Za-z0-9._%+@;=-]{1,30}$/)
  .filter((u) => !/[\s<>]/.test(u));
const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/);
const IMDN = 'urn:ietf:params:imdn';

describe('§2.3 escapes', () => {
  it('unescape(escape(s)) is s, for any text, quoted or not', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (s, quoted) => {
        expect(unescapeCpim(escapeCpim(s, quoted))).toBe(s);
      }),
    );
  });

  it('escape leaves no control character, and no bare quote when quoted', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        // eslint-disable-next-line no-control-regex
        expect(escapeCpim(s)).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(escapeCpim(s, true).replace(/\\./g, '')).not.toContain('"');
      }),
    );
  });

  it('unescape never throws on any input', () => {
    fc.assert(fc.property(anyText, (s) => typeof unescapeCpim(s) === 'string'));
  });
});

describe('createCpim → formatCpim → parseCpim', () => {
  it('keeps any header value, display name, Subject and body', () => {
    fc.assert(
      fc.property(
        anyText,
        anyText,
        anyText,
        uri,
        name,
        fc.uint8Array({ maxLength: 64 }),
        (value, displayName, subject, address, local, body) => {
          const m = createCpim({
            from: { name: displayName, uri: address },
            subject,
            ns: { p: IMDN },
            headers: [[`p.${local}`, value]],
            contentType: 'application/octet-stream',
            body,
          });
          const wire = formatCpim(m);
          const back = parseCpim(wire);
          expect(back.from).toEqual({ name: displayName, uri: address });
          expect(back.subjects).toEqual([{ text: subject }]);
          expect(back.get(IMDN, local)?.text).toBe(value);
          expect(Array.from(back.body)).toEqual(Array.from(body));
          // Written once, the bytes are a fixed point.
          expect(Buffer.from(formatCpim(back)).equals(Buffer.from(wire))).toBe(true);
        },
      ),
    );
  });
});

describe('bytes from a peer', () => {
  const fixtures = readdirSync(join(import.meta.dirname, 'fixtures', 'cpim'))
    .filter((f) => f.endsWith('.cpim'))
    .map((f) => new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'cpim', f))));

  /** Parses `bytes`; a message must format and parse again to the same headers. */
  function check(bytes: Uint8Array): void {
    let m;
    try {
      m = parseCpim(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(MsrpError);
      expect((e as MsrpError).code).toBe('MSRP_ERR_CPIM');
      return;
    }
    const again = parseCpim(formatCpim(m));
    expect(again.headers.map((h) => h.value)).toEqual(m.headers.map((h) => h.value));
    expect(Array.from(again.body)).toEqual(Array.from(m.body));
  }

  it('random bytes: a message or MSRP_ERR_CPIM', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 500 });
  });

  it('fixtures with random bytes overwritten, inserted or cut', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom('set', 'insert', 'cut'),
          ),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (fixture, edits) => {
          let bytes = Array.from(fixture);
          for (const [at, byte, op] of edits) {
            const i = at % (bytes.length + 1);
            if (op === 'set') bytes[i] = byte;
            else if (op === 'insert') bytes.splice(i, 0, byte);
            else bytes = bytes.slice(0, i);
          }
          check(new Uint8Array(bytes));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random header lines: a message or MSRP_ERR_CPIM', () => {
    const line = fc.stringMatching(/^[ -~]{0,40}$/);
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 8 }),
        fc.array(line, { maxLength: 4 }),
        (meta, content) => {
          const text = [...meta, '', ...content, '', 'body'].join('\r\n');
          check(new TextEncoder().encode(text));
        },
      ),
      { numRuns: 500 },
    );
  });
});
