// Random (version 4) UUIDs for file-transfer-ids, from Web Crypto's getRandomValues (global in
// Node 20 and in browsers, secure context or not, where crypto.randomUUID needs one), rather
// than the uuid package, whose ES build is 20 modules: ~8 MiB of RSS in `msrp` (issue 12,
// "Memory"). The same function as msrp-core's wire/uuid-v4.ts, which this package cannot
// import without loading msrp-core's root.
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** A new random UUID in lower case: 122 random bits (RFC 9562 §5.4: version 4, variant 10). */
export function uuidV4(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = (from: number, to: number): string => {
    let s = '';
    for (let k = from; k < to; k++) s += HEX[b[k]!]!;
    return s;
  };
  return `${h(0, 4)}-${h(4, 6)}-${h(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
}
