import { describe, expect, it, vi } from 'vitest';
import {
  formatUri,
  parseUri,
  type MsrpUri,
  type RequestHead,
  type ResponseHead,
} from '../src/index.js';
import { RelayRegistration, type RegistrationLink } from '../src/internal.js';

const R1 = parseUri('msrp://relay1.example.net:2855;tcp');
const R2 = parseUri('msrp://relay2.example.net:2855;tcp');
const R1_SESSION = parseUri('msrp://relay1.example.net:2855/s1;tcp');
const R2_SESSION = parseUri('msrp://relay2.example.net:2855/s2;tcp');

/** A relay's 200 to an AUTH, granting `expires` seconds and `usePath`. */
function granted(
  head: RequestHead,
  expires: number,
  usePath: readonly MsrpUri[] = [R1_SESSION],
): Promise<ResponseHead> {
  return Promise.resolve({
    kind: 'response',
    transactionId: head.transactionId,
    statusCode: 200,
    toPath: head.fromPath,
    fromPath: [head.toPath[0]!],
    usePath,
    expires,
  });
}

/** Answers each AUTH with 200 and the Use-Path the test gives for the relay it targets. */
function relaysGranting(grants: Map<string, readonly string[]>): {
  link: RegistrationLink;
  auths: RequestHead[];
} {
  const auths: RequestHead[] = [];
  const link: RegistrationLink = {
    connect: () => Promise.resolve({}),
    request: (_connection, head): Promise<ResponseHead> => {
      auths.push(head);
      const target = formatUri(head.toPath[head.toPath.length - 1]!);
      return granted(head, 600, (grants.get(target) ?? []).map(parseUri));
    },
  };
  return { link, auths };
}

describe('RelayRegistration with two relays', () => {
  const accounts = [
    { uri: R1, username: 'alice', password: 'a' },
    { uri: R2, username: 'alice', password: 'b' },
  ];
  const from = parseUri('msrp://alice.example.com:7654/a1;tcp');

  it('reaches the second relay through the first and keeps its full Use-Path', async () => {
    const { link, auths } = relaysGranting(
      new Map([
        [formatUri(R1), [formatUri(R1_SESSION)]],
        [formatUri(R2), [formatUri(R1_SESSION), formatUri(R2_SESSION)]],
      ]),
    );
    const registration = new RelayRegistration(link, accounts, from);
    const usePath = await registration.authenticate();
    registration.close();
    expect(auths[1]!.toPath.map(formatUri)).toEqual([formatUri(R1_SESSION), formatUri(R2)]);
    expect(usePath.map(formatUri)).toEqual([formatUri(R1_SESSION), formatUri(R2_SESSION)]);
  });

  it('puts the first relay in front when the second names only itself', async () => {
    const { link } = relaysGranting(
      new Map([
        [formatUri(R1), [formatUri(R1_SESSION)]],
        [formatUri(R2), [formatUri(R2_SESSION)]],
      ]),
    );
    const registration = new RelayRegistration(link, accounts, from);
    const usePath = await registration.authenticate();
    registration.close();
    expect(usePath.map(formatUri)).toEqual([formatUri(R1_SESSION), formatUri(R2_SESSION)]);
  });
});

/** alice's registration at R1 over `link`. */
function aliceAt(link: RegistrationLink): RelayRegistration {
  return new RelayRegistration(
    link,
    [{ uri: R1, username: 'alice', password: 'a' }],
    parseUri('msrp://alice.example.com:7654/a1;tcp'),
  );
}

describe('RelayRegistration refresh', () => {
  it('reports no error for a refresh cut short by close()', async () => {
    let refreshing!: (head: RequestHead) => void;
    const refreshSeen = new Promise<RequestHead>((resolve) => (refreshing = resolve));
    let auths = 0;
    const link: RegistrationLink = {
      connect: () => Promise.resolve({}),
      request: (_connection, head): Promise<ResponseHead> => {
        if (++auths > 1) {
          refreshing(head);
          return Promise.reject(new Error('connection closed by the endpoint'));
        }
        return granted(head, 1); // refreshed after 0.8 s
      },
    };
    const registration = aliceAt(link);
    const errors: unknown[] = [];
    registration.on('error', (e) => errors.push(e));
    await registration.authenticate();
    await refreshSeen;
    registration.close();
    // Let the refresh's rejection run its course.
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([]);
  });
});

/** A relay granting `expires` seconds to every AUTH, and how many it answered. */
function grantingRelay(expires: number): { link: RegistrationLink; auths: () => number } {
  let auths = 0;
  const link: RegistrationLink = {
    connect: () => Promise.resolve({}),
    request: (_connection, head): Promise<ResponseHead> => {
      auths++;
      return granted(head, expires);
    },
  };
  return { link, auths: () => auths };
}

describe('RelayRegistration with a long grant, or none', () => {
  it('refreshes a grant of 1157 days after 24.8 days, not every millisecond', async () => {
    // Past 2^31 - 1 ms a timer fires at once: a relay granting Expires 99999999 got an AUTH
    // a millisecond from each client, for ever.
    vi.useFakeTimers();
    try {
      const { link, auths } = grantingRelay(99_999_999);
      const registration = aliceAt(link);
      await registration.authenticate();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(auths()).toBe(1);
      await vi.advanceTimersByTimeAsync(2 ** 31);
      expect(auths()).toBe(2);
      registration.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails the AUTH of a relay granting Expires: 0, and AUTHs no more', async () => {
    // Taken as a grant, its refresh was due at once: an AUTH every 100 ms, for ever.
    vi.useFakeTimers();
    try {
      const { link, auths } = grantingRelay(0);
      const registration = aliceAt(link);
      await expect(registration.authenticate()).rejects.toMatchObject({
        code: 'MSRP_ERR_REMOTE',
        message: expect.stringContaining('Expires: 0') as unknown,
      });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(auths()).toBe(1);
      registration.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('RelayRegistration after a failed refresh', () => {
  /** A relay granting 600 s, failing the refreshes whose number `fails` holds (1 = first). */
  function flaky(fails: (n: number) => boolean): { link: RegistrationLink; auths: () => number } {
    let auths = 0;
    const link: RegistrationLink = {
      connect: () => Promise.resolve({}),
      request: (_connection, head): Promise<ResponseHead> => {
        const refresh = auths++;
        if (refresh > 0 && fails(refresh)) {
          return Promise.resolve({ ...NO_GRANT, transactionId: head.transactionId });
        }
        return granted(head, 600);
      },
    };
    return { link, auths: () => auths };
  }
  const NO_GRANT: ResponseHead = {
    kind: 'response',
    transactionId: '',
    statusCode: 500,
    comment: 'Credentials unavailable',
    toPath: [],
    fromPath: [],
  };

  it('tries again while the grant lasts, and goes on refreshing once one succeeds', async () => {
    vi.useFakeTimers();
    try {
      const { link, auths } = flaky((n) => n === 1);
      const registration = aliceAt(link);
      const errors: number[] = [];
      const refreshed: number[] = [];
      registration.on('error', (e) => errors.push(e.status ?? 0));
      registration.on('refreshed', () => refreshed.push(Date.now()));
      await registration.authenticate();
      const start = Date.now();
      // Refreshed at 80 % of 600 s: 500. Tried again halfway to the grant's end (540 s).
      await vi.advanceTimersByTimeAsync(480_000);
      expect([auths(), errors]).toEqual([2, [500]]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(auths()).toBe(3);
      expect(refreshed).toEqual([start + 540_000]);
      // And the next refresh comes at 80 % of the new grant.
      await vi.advanceTimersByTimeAsync(480_000);
      expect([auths(), errors]).toEqual([4, [500]]);
      registration.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops trying when the grant is about to end', async () => {
    vi.useFakeTimers();
    try {
      const { link, auths } = flaky(() => true);
      const registration = aliceAt(link);
      let errors = 0;
      registration.on('error', () => errors++);
      await registration.authenticate();
      await vi.advanceTimersByTimeAsync(600_000);
      // At 480, 540, 570, 585, 592.5, 596.25 and 598.1 s; then under 2 s were left.
      expect([auths() - 1, errors]).toEqual([7, 7]);
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(auths() - 1).toBe(7);
      registration.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
