// What `msrp listen` does with a session: a chat peer that prints chat (CPIM or bare text)
// and answers its IMDN requests, and stores files as before.
import { Chat, type IncomingMessage, type Session } from '@msrp-ts/msrp-core';
import { chatText, cpimMetadata, isChatKeepalive } from './chat-view.js';
import type { Output } from './output.js';
import { receive } from './receive.js';
import { ResumeListener } from './resume-listen.js';

/** How {@link serveChat} shows and answers. */
export interface ServeOptions {
  /** Directory for received files. */
  readonly outDir: string;
  /** Answer `displayed` when asked: the text was printed on a terminal. */
  readonly displayed: boolean;
  /** Our accept-wrapped-types, for the Chat (the session's checkMessage answers 415 first). */
  readonly acceptWrappedTypes?: readonly string[] | undefined;
  /** Tracks each file being stored (with its message), for the command to wait for on exit. */
  readonly track: (work: Promise<void>, message: IncomingMessage) => void;
}

/**
 * Serves `session` until it closes: chat messages are printed (text) or reported (--json,
 * with their CPIM metadata and the notifications answered); files are stored under outDir.
 */
export function serveChat(session: Session, out: Output, options: ServeOptions): Promise<void> {
  // We never send chat lines or is-composing: the Chat only answers notifications.
  const chat = new Chat(session, {
    isComposing: false,
    ...(options.acceptWrappedTypes && { acceptWrappedTypes: options.acceptWrappedTypes }),
  });
  chat.on('message', (message) => {
    if (isChatKeepalive(message)) return;
    // RFC 5438 §7.2: the Chat answered delivered on receipt; displayed only if a user saw it.
    const answered = [
      ...(message.requested.positiveDelivery ? ['delivered'] : []),
      ...(message.requested.display && options.displayed ? ['displayed'] : []),
    ];
    out.result(chatText(message), {
      event: 'message',
      messageId: message.messageId,
      contentType: message.contentType,
      ...(message.text !== undefined && { text: message.text }),
      ...(message.cpim && { cpim: true, ...cpimMetadata(message), notified: answered }),
    });
    if (options.displayed) void chat.markDisplayed(message);
  });
  const resume = new ResumeListener(session, options.outDir, out);
  chat.on('other', (message) => {
    const work = receive(message, options.outDir, out, resume).catch((e: Error) =>
      out.error(`receiving ${message.messageId} failed: ${e.message}`),
    );
    options.track(work, message);
  });
  chat.on('composing', () => out.event({ event: 'composing' }));
  chat.on('idle', () => out.event({ event: 'idle' }));
  chat.on('malformed', (problem) =>
    out.error(`malformed message (${problem.reason}): ${problem.error.message}`, {
      reason: problem.reason,
      contentType: problem.contentType,
    }),
  );
  chat.on('error', (e) => out.error(`answering a notification failed: ${e.message}`));
  return new Promise((resolve) => chat.once('close', () => resolve()));
}
