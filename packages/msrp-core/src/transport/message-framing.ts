import { MsrpError } from '../errors.js';

/**
 * RFC 7977 §5.1 on the receiving side of a message-based transport (WebSocket): "each MSRP
 * chunk goes in exactly one WebSocket message". A frame that ends and another that starts
 * in the same message is refused (`MSRP_ERR_MESSAGE_FRAMING`). We are liberal otherwise: a
 * chunk split across several messages is accepted, the parser joins it as it would TCP reads.
 *
 * The connection calls {@link message} before it pushes each message to the parser, which
 * by then has read every earlier message (the stream delivers nothing while it is paused),
 * and {@link head} and {@link end} from its frame sink.
 */
export class MessageFraming {
  /** A frame ended in the message being read: nothing may follow it there. */
  #frameEnded = false;

  /**
   * A new message begins. `inFrame`: whether the parser holds part of a frame.
   * @throws {MsrpError} when the last message ended a frame and began another one.
   */
  message(inFrame: boolean): void {
    if (this.#frameEnded && inFrame) throw violation();
    this.#frameEnded = false;
  }

  /**
   * A frame's head was read.
   * @throws {MsrpError} when a frame already ended in this message.
   */
  head(): void {
    if (this.#frameEnded) throw violation();
  }

  /** A frame's end-line was read. */
  end(): void {
    this.#frameEnded = true;
  }
}

function violation(): MsrpError {
  return new MsrpError(
    'MSRP_ERR_MESSAGE_FRAMING',
    'Two MSRP frames in one WebSocket message (RFC 7977 §5.1)',
  );
}
