import { MsrpError, hasBrand } from '../errors.js';

/** The brand of NicknameError, like MsrpError's: shared by every copy of the package. */
const kNicknameError = Symbol.for('msrp-ts.NicknameError');

/**
 * The chat room refused a nickname (RFC 7701 §7.1): `status` is its answer to our NICKNAME,
 * typically 424 (malformed nickname), 425 (reserved or already in use), 403 (not allowed)
 * or 501 (the peer does not do nicknames). Code `MSRP_ERR_REMOTE`.
 */
export class NicknameError extends MsrpError {
  /** Whether `value` is a NicknameError of any copy of the package (see {@link MsrpError}). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== NicknameError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, kNicknameError);
  }

  /** The nickname that was refused. */
  readonly nickname: string;
  /** The comment of the refusal's status line, if it had one. */
  readonly comment: string | undefined;

  constructor(nickname: string, status: number, comment?: string) {
    super(
      'MSRP_ERR_REMOTE',
      `Nickname ${JSON.stringify(nickname)} refused: ${status}${comment ? ` ${comment}` : ''}`,
      { status },
    );
    this.nickname = nickname;
    this.comment = comment;
  }
}
Object.defineProperty(NicknameError.prototype, kNicknameError, { value: true });
