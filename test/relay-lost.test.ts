// An endpoint tells its application when the connection to its relay is lost (RFC 4976 §5.1:
// peers reach the client only over it), and says nothing when it closes that connection itself.
import { describe, expect, it } from 'vitest';
import { Endpoint, nextEvent, type MsrpError } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';

async function authenticated(): Promise<{ relay: Relay; endpoint: Endpoint }> {
  const relay = new Relay({
    credentials: new StaticCredentialStore([{ username: 'bob', password: 'pw' }]),
  });
  const uri = await relay.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = new Endpoint({ relays: [{ uri, username: 'bob', password: 'pw' }] });
  await endpoint.authenticate();
  return { relay, endpoint };
}

describe('relayLost', () => {
  it('is emitted once when the relay goes away, and the grant is dropped', async () => {
    const { relay, endpoint } = await authenticated();
    const lost = nextEvent(endpoint, 'relayLost');
    await relay.close(100);
    const [error] = await lost;
    expect(error.code).toBe('MSRP_ERR_CONNECTION');
    expect(endpoint.usePath).toEqual([]);
    await endpoint.close();
  });

  it('is not emitted when the endpoint closes', async () => {
    const { relay, endpoint } = await authenticated();
    const events: MsrpError[] = [];
    endpoint.on('relayLost', (e) => events.push(e));
    await endpoint.close();
    await relay.close(100);
    expect(events).toEqual([]);
  });
});
