// A raw MSRP-over-WebSocket client for the relay tests, like crocodile-msrp or a browser
// client: one frame per message out, and each message received parsed on its own, so that
// tests can check that every message holds exactly one whole chunk (RFC 7977 §5.1).
import { once } from 'node:events';
import { WebSocket } from 'ws';
import {
  Parser,
  encodeFrame,
  formatUri,
  newSessionId,
  newTransactionId,
  type ContinuationFlag,
  type Head,
  type MsrpUri,
  type RequestHead,
  type ResponseHead,
} from '@msrp-ts/msrp-core';
import { answerChallenge } from '@msrp-ts/msrp-core/internal';
import { USERS, eventually, onCleanup } from './helpers.js';

/** One message received, parsed alone. */
export interface WsMessage {
  readonly size: number;
  /** The frames it held; a well-formed message holds exactly one, whole. */
  readonly frames: { head: Head; body: Buffer; flag: ContinuationFlag }[];
  /** Bytes of a frame begun and not ended in it (0 for a whole frame). */
  readonly partial: boolean;
}

/** A raw WebSocket MSRP client (closed after the test). */
export class WsPeer {
  readonly socket: WebSocket;
  readonly messages: WsMessage[] = [];
  /** Our own URI: a `.invalid` host, as RFC 7977 §5.2 has WebSocket clients use. */
  readonly uri: MsrpUri = {
    scheme: 'msrp',
    host: `${newSessionId().toLowerCase()}.invalid`,
    port: 2855,
    sessionId: newSessionId(),
    transport: 'ws',
    params: [],
  };
  closeCode: number | undefined;
  /** Answer every SEND received with 200 (RFC 4975 §7.2 addressing). */
  autoRespond = false;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: Buffer) => {
      const message = parseMessage(data);
      this.messages.push(message);
      if (!this.autoRespond) return;
      for (const { head } of message.frames)
        if (head.kind === 'request' && head.method === 'SEND') this.respond(head);
    });
    socket.on('close', (code: number) => (this.closeCode = code));
    socket.on('error', () => undefined);
  }

  static async connect(uri: MsrpUri): Promise<WsPeer> {
    const socket = new WebSocket(`ws://${uri.host}:${uri.port}/`, ['msrp']);
    onCleanup(() => socket.terminate());
    await once(socket, 'open');
    return new WsPeer(socket);
  }

  /** The frames received, in order. */
  get frames(): WsMessage['frames'] {
    return this.messages.flatMap((m) => m.frames);
  }

  /** Sends one frame as one message, binary or text (RFC 7977 §4.2: both are bytes). */
  send(head: Head, body?: Uint8Array, options: { text?: boolean; flag?: ContinuationFlag } = {}) {
    const message = Buffer.concat(encodeFrame(head, body, options.flag ?? '$'));
    this.socket.send(message, { binary: options.text !== true });
  }

  /** A request from us along `toPath`. */
  request(method: string, toPath: readonly MsrpUri[], extra: Partial<RequestHead> = {}) {
    const head: RequestHead = {
      kind: 'request',
      method,
      transactionId: newTransactionId(),
      toPath,
      fromPath: [this.uri],
      ...extra,
    };
    return head;
  }

  /** Answers `request` with `status`. */
  respond(request: RequestHead, status = 200): void {
    const head: ResponseHead = {
      kind: 'response',
      transactionId: request.transactionId,
      statusCode: status,
      toPath: [request.fromPath[0]!],
      fromPath: [request.toPath[0]!],
    };
    this.send(head);
  }

  /** Waits for the response to `transactionId`. */
  async response(transactionId: string, timeout = 5000): Promise<ResponseHead> {
    let found: ResponseHead | undefined;
    await eventually(
      () => {
        const f = this.frames.find((x) => x.head.transactionId === transactionId);
        if (f?.head.kind === 'response') found = f.head;
        return found !== undefined;
      },
      timeout,
      `response to ${transactionId}`,
    );
    return found!;
  }

  /** AUTH with Digest (RFC 4976 §6.1) to `relay`, as `username`; returns the 200. */
  async auth(relay: MsrpUri, username = 'alice', text = false): Promise<ResponseHead> {
    const first = this.request('AUTH', [relay]);
    this.send(first, undefined, { text });
    const challenge = await this.response(first.transactionId);
    if (challenge.statusCode !== 401) throw new Error(`expected 401, got ${challenge.statusCode}`);
    const password = USERS.find((u) => u.username === username)!.password;
    const authorization = answerChallenge(
      challenge.wwwAuthenticate ?? [],
      { username, password },
      formatUri(relay),
    );
    const second = this.request('AUTH', [relay], { authorization });
    this.send(second, undefined, { text });
    return this.response(second.transactionId);
  }
}

function parseMessage(data: Buffer): WsMessage {
  const frames: WsMessage['frames'] = [];
  let head: Head | undefined;
  let body: Buffer[] = [];
  const parser = new Parser({
    head: (h) => void ((head = h), (body = [])),
    body: (part) => void body.push(Buffer.from(part)),
    end: (flag) => void frames.push({ head: head!, body: Buffer.concat(body), flag }),
  });
  try {
    parser.push(data);
  } catch {
    // Not a frame on its own (a piece of one split across messages): the test sees `partial`.
    return { size: data.length, frames, partial: true };
  }
  return { size: data.length, frames, partial: parser.inFrame };
}
