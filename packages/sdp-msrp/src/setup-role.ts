/** Values of `a=setup` (RFC 4145 §4, used for MSRP by RFC 6135). */
export type SetupRole = 'active' | 'passive' | 'actpass' | 'holdconn';

/** Which party of an offer/answer exchange opens the TCP connection; `none` under `holdconn`. */
export type ActiveParty = 'offerer' | 'answerer' | 'none';

/** Whether `text` is an `a=setup` value. */
export function isSetupRole(text: string): text is SetupRole {
  return text === 'active' || text === 'passive' || text === 'actpass' || text === 'holdconn';
}

/**
 * The `a=setup` of an answer to an offer's `a=setup`, with the answerer's preference used
 * where the offer leaves the choice (`actpass`). Undefined when the offer has no `a=setup`:
 * the offerer then follows RFC 4975, and an answer without the attribute says we do too.
 */
export function answerSetup(
  offered: SetupRole | undefined,
  preference: 'active' | 'passive' = 'passive',
): SetupRole | undefined {
  switch (offered) {
    case undefined:
      return undefined;
    // RFC 4145 §4.1: an offer of "active" is answered "passive", and the reverse.
    case 'active':
      return 'passive';
    case 'passive':
      return 'active';
    // RFC 4145 §4.1: "holdconn" in the offer MUST be answered "holdconn".
    case 'holdconn':
      return 'holdconn';
    case 'actpass':
      return preference;
  }
}

/**
 * Who opens the connection, from the `a=setup` of the offer and of the answer.
 *
 * RFC 6135 §1: RFC 4975 makes the UA that sends the offer the active one, and that stays the
 * rule whenever either side leaves `a=setup` out (a peer that knows only RFC 4975). With
 * both present, the answer decides (RFC 4145 §4.1): `active` there makes the answerer
 * connect, `passive` the offerer, `holdconn` nobody yet.
 */
export function activeParty(
  offered: SetupRole | undefined,
  answered: SetupRole | undefined,
): ActiveParty {
  if (offered === undefined || answered === undefined) return 'offerer';
  if (offered === 'holdconn' || answered === 'holdconn') return 'none';
  if (answered === 'active') return 'answerer';
  if (answered === 'passive') return 'offerer';
  // An answer of "actpass" is not allowed (RFC 4145 §4.1); read it as the offer asks.
  return offered === 'passive' ? 'answerer' : 'offerer';
}
