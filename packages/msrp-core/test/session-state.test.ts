import { describe, expect, it } from 'vitest';
import { MsrpError } from '../src/index.js';
import { SessionStateMachine } from '../src/session/session-state.js';

describe('SessionStateMachine', () => {
  it('follows the legal edges of RFC 4975 §5.4 (rebind: bound → waiting → bound)', () => {
    const state = new SessionStateMachine();
    expect(state.current).toBe('new');
    state.transition('waiting', 'accept');
    state.transition('bound', 'bind');
    state.transition('waiting', 'rebind');
    state.transition('bound', 'bind');
    state.transition('closed', 'close');
    expect(state.current).toBe('closed');
  });

  it('refuses an illegal edge with MSRP_ERR_SESSION and keeps the state', () => {
    const state = new SessionStateMachine();
    state.transition('connecting', 'connect');
    let error: unknown;
    try {
      state.transition('waiting', 'accept');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({
      code: 'MSRP_ERR_SESSION',
      message: 'Cannot accept: session is connecting',
    });
    expect(state.current).toBe('connecting');
    state.transition('closed', 'close');
    expect(() => state.transition('new', 'reopen')).toThrow('Cannot reopen: session is closed');
  });
});
