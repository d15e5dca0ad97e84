// README "In a browser": where the MSRP SDP goes in a SIP.js call (test/web-chat-sip.test.ts).
import { type Endpoint, type Session } from '@msrp-ts/msrp-core/browser';
import { createAnswer, createOffer, negotiate } from '@msrp-ts/sdp-msrp';

// SIP.js's SessionDescriptionHandler interface (the methods a call uses), so that this file
// builds without sip.js installed; with it, `implements SessionDescriptionHandler` from 'sip.js'.
interface SessionDescriptionHandler {
  getDescription(): Promise<{ body: string; contentType: string }>;
  setDescription(sdp: string): Promise<void>;
  hasDescription(contentType: string): boolean;
  sendDtmf(): boolean;
  close(): void;
}

const TYPES = ['text/plain', 'message/cpim', 'application/*'];

/** MSRP media for a SIP.js call: SIP.js asks it for our SDP and hands it the peer's. */
export class MsrpDescriptionHandler implements SessionDescriptionHandler {
  readonly session: Session;
  #local: string | undefined;
  #remote: string | undefined;

  constructor(endpoint: Endpoint /* authenticated to a ;ws relay */) {
    this.session = endpoint.createSession();
  }

  /** Our SDP: the offer of our INVITE, or the answer of our 200 OK to theirs. */
  async getDescription(): Promise<{ body: string; contentType: string }> {
    const { localUri, localPath } = this.session;
    const relayPath = localPath.slice(0, -1); // a=path: our relays, then our URI
    if (this.#remote === undefined) {
      this.#local = createOffer({ localUri, relayPath, acceptTypes: TYPES });
    } else {
      const answer = createAnswer(this.#remote, { localUri, relayPath, acceptTypes: TYPES });
      if (!answer.accepted) throw new Error(`MSRP offer refused: ${answer.reason}`);
      this.#local = answer.sdp;
      await this.#start(this.#remote, answer.sdp, 'answerer');
    }
    return { body: this.#local, contentType: 'application/sdp' };
  }

  /** Their SDP: an offer (we answer in getDescription), or the answer to our offer. */
  async setDescription(sdp: string): Promise<void> {
    if (this.#local === undefined) this.#remote = sdp;
    else await this.#start(this.#local, sdp, 'offerer');
  }

  async #start(offer: string, answer: string, we: 'offerer' | 'answerer'): Promise<void> {
    const agreed = negotiate(offer, answer);
    if (!agreed.accepted) throw new Error(`MSRP negotiation failed: ${agreed.reason}`);
    const side = agreed[we];
    if (side.connects) await this.session.connect(side.remotePath);
    else this.session.accept(side.remotePath);
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  sendDtmf(): boolean {
    return false;
  }

  close(): void {
    void this.session.close();
  }
}

// With SIP.js (`import { Inviter, UserAgent } from 'sip.js'`):
//   const endpoint = new Endpoint({ relays: [{ uri: parseUri('msrps://relay.example.net:443;ws'),
//     username, password }] });
//   await endpoint.authenticate();
//   let msrp: MsrpDescriptionHandler | undefined;
//   const ua = new UserAgent({
//     uri: UserAgent.makeURI('sip:alice@example.net'),
//     transportOptions: { server: 'wss://sip.example.net' },
//     sessionDescriptionHandlerFactory: () => (msrp = new MsrpDescriptionHandler(endpoint)),
//   });
//   await ua.start();
//   await new Inviter(ua, UserAgent.makeURI('sip:bob@example.net')!).invite();
//   // once the call is established: await msrp!.session.send('Hello Bob');
