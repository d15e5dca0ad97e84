// The Hasher seam: Node's implementation, and that file transfer and digest hash through the
// factory they are given (a browser passes its own).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Endpoint,
  formatHash,
  parseUri,
  type ResponseHead,
  nodeHasher,
  type HashAlgorithm,
  type Hasher,
  type HasherFactory,
} from '../src/index.js';
import {
  answerChallenge,
  digestResponse,
  HashTap,
  RelayRegistration,
  toHex,
  type RegistrationLink,
} from '../src/internal.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Node's hasher, recording which algorithms were asked for and the byte views it was fed. */
function recordingHasher(): {
  factory: HasherFactory;
  algorithms: HashAlgorithm[];
  fed: Uint8Array[];
} {
  const algorithms: HashAlgorithm[] = [];
  const fed: Uint8Array[] = [];
  const factory: HasherFactory = (algorithm) => {
    algorithms.push(algorithm);
    const inner = nodeHasher(algorithm);
    const hasher: Hasher = {
      update: (bytes) => {
        fed.push(bytes);
        inner.update(bytes);
      },
      digest: () => inner.digest(),
    };
    return hasher;
  };
  return { factory, algorithms, fed };
}

const abc = new TextEncoder().encode('abc');

describe('nodeHasher', () => {
  it.each([
    ['sha-1', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['sha-256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['md5', '900150983cd24fb0d6963f7d28e17f72'],
  ] as const)('hashes "abc" with %s incrementally', (algorithm, hex) => {
    const hasher = nodeHasher(algorithm);
    hasher.update(abc.subarray(0, 1));
    hasher.update(abc.subarray(1));
    const digest = hasher.digest();
    expect(digest).toBeInstanceOf(Uint8Array);
    expect(toHex(digest)).toBe(hex);
  });
});

describe('digest through a Hasher', () => {
  // RFC 7616 §3.9.1: the example of Mufasa, response for MD5 and for SHA-256.
  const base = {
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    method: 'GET',
    uri: '/dir/index.html',
  };
  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ] as const)(
    'computes the RFC 7616 example response for %s with the given hasher',
    (algorithm, response) => {
      const { factory, algorithms } = recordingHasher();
      const ha1Input = 'Mufasa:http-auth@example.org:Circle of Life';
      const h = factory(algorithm === 'MD5' ? 'md5' : 'sha-256');
      h.update(new TextEncoder().encode(ha1Input));
      const ha1 = toHex(h.digest());
      algorithms.length = 0;
      expect(digestResponse({ ...base, algorithm, ha1 }, factory)).toBe(response);
      expect(digestResponse({ ...base, algorithm, ha1 })).toBe(response);
      expect(algorithms).toEqual(algorithm === 'MD5' ? ['md5', 'md5'] : ['sha-256', 'sha-256']);
    },
  );

  it('answers a relay challenge with the given hasher', () => {
    const { factory, algorithms } = recordingHasher();
    const challenge = {
      scheme: 'Digest',
      params: [
        { name: 'realm', value: 'relay.example.com', quoted: true },
        { name: 'nonce', value: 'n0nce', quoted: true },
        { name: 'qop', value: 'auth', quoted: true },
        { name: 'algorithm', value: 'SHA-256' },
      ],
    };
    const account = { username: 'alice', password: 'secret' };
    const header = answerChallenge(
      [challenge],
      account,
      'msrps://relay.example.com:2855;tcp',
      1,
      factory,
    );
    expect(header.scheme).toBe('Digest');
    // HA1, H(A2), and the response.
    expect(algorithms).toEqual(['sha-256', 'sha-256', 'sha-256']);
  });
});

describe('RelayRegistration', () => {
  it('answers the challenge of its relay with its createHasher', async () => {
    const { factory, algorithms } = recordingHasher();
    const relay = parseUri('msrp://relay.example.net:2855;tcp');
    let authorized = false;
    const link: RegistrationLink = {
      connect: () => Promise.resolve({}),
      request: (_connection, head): Promise<ResponseHead> => {
        authorized = head.authorization !== undefined;
        return Promise.resolve({
          kind: 'response',
          transactionId: head.transactionId,
          statusCode: authorized ? 200 : 401,
          toPath: head.fromPath,
          fromPath: [head.toPath[0]!],
          ...(authorized
            ? { usePath: [parseUri('msrp://relay.example.net:2855/s1;tcp')], expires: 600 }
            : {
                wwwAuthenticate: [
                  {
                    scheme: 'Digest',
                    params: [
                      { name: 'realm', value: 'relay.example.net', quoted: true },
                      { name: 'nonce', value: 'n0nce', quoted: true },
                      { name: 'qop', value: 'auth', quoted: true },
                      { name: 'algorithm', value: 'MD5' },
                    ],
                  },
                ],
              }),
        });
      },
    };
    const registration = new RelayRegistration(
      link,
      [{ uri: relay, username: 'alice', password: 'a' }],
      parseUri('msrp://alice.example.com:7654/a1;tcp'),
      { createHasher: factory },
    );
    await registration.authenticate();
    registration.close();
    expect(authorized).toBe(true);
    expect(algorithms).toEqual(['md5', 'md5', 'md5']);
  });
});

describe('file hashes through a Hasher', () => {
  it('HashTap feeds one hasher (SHA-256) the bytes as they pass, without copying them', async () => {
    const { factory, algorithms, fed } = recordingHasher();
    const tap = new HashTap(factory);
    const parts = [abc.subarray(0, 2), abc.subarray(2)];
    const out: Uint8Array[] = [];
    for await (const part of tap.tap(Readable.from(parts))) out.push(part);
    expect(algorithms).toEqual(['sha-256']);
    expect(out).toEqual(parts);
    expect(fed.length).toBe(2);
    for (const [i, bytes] of fed.entries()) expect(bytes).toBe(parts[i]);
    expect(tap.digest()).toBe(
      `sha-256:${formatHash(
        Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex'),
      )}`,
    );
  });

  it('HashTap computes SHA-1 alone when asked (an RFC 5547 hash:sha-1)', () => {
    const { factory, algorithms } = recordingHasher();
    const tap = new HashTap(factory, 'sha-1');
    tap.update(abc);
    expect(algorithms).toEqual(['sha-1']);
    expect(tap.digest()).toBe(
      `sha-1:${formatHash(Buffer.from('a9993e364706816aba3e25717850c26c9cd0d89d', 'hex'))}`,
    );
  });

  it('formatHash writes a Uint8Array as RFC 5547 does', () => {
    expect(formatHash(new Uint8Array([0x0a, 0xbc, 0xff]))).toBe('0A:BC:FF');
  });

  it("sendFile hashes through the endpoint's createHasher", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-hasher-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'abc.txt');
    await writeFile(path, abc);
    const { factory, algorithms } = recordingHasher();
    const b = new Endpoint();
    cleanups.push(() => b.close());
    await b.listen({ host: '127.0.0.1', port: 0 });
    const a = new Endpoint({ createHasher: factory });
    cleanups.push(() => a.close());
    const sb = b.createSession();
    sb.accept();
    const sa = a.createSession();
    await sa.connect([sb.localUri]);
    const delivery = await sa.sendFile(path);
    // One hash per file, SHA-256 by default: SHA-1 was computed beside it before.
    expect(algorithms).toEqual(['sha-256']);
    expect(delivery.hash).toBe(
      `sha-256:${formatHash(
        Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex'),
      )}`,
    );
  });
});
