// What `msrp chat` shows of a Chat: the peer's lines, its typing, and ✓ (delivered) and ✓✓
// (read) for each line we sent, as text lines or JSON events.
import {
  mediaTypeOf,
  type Chat,
  type ChatMessage,
  type ChatNotification,
} from '@msrp-ts/msrp-core';
import { oneLine, type Output } from './output.js';

/** How the view prints. */
export interface ChatViewOptions {
  /** Prints a line of the conversation (stdout), above the prompt on a terminal. */
  show: (text: string) => void;
  /** On a terminal: shows the peer's typing in the prompt instead of as a status line. */
  setTyping?: ((typing: boolean) => void) | undefined;
  /** Answer `displayed` for each line printed (on a terminal, or --mark-displayed). */
  markDisplayed: boolean;
  /** While true, errors of the chat (a notification that could not go out) are not shown. */
  quiet?: () => boolean;
}

/** The CPIM metadata of a chat message, as JSON events report it. */
export function cpimMetadata(message: ChatMessage): Record<string, unknown> {
  return {
    ...(message.from && { from: message.from.uri }),
    ...(message.to.length > 0 && { to: message.to.map((a) => a.uri) }),
    ...(message.dateTime && { dateTime: message.dateTime.raw }),
    ...(message.cpim && { imdnMessageId: message.messageId }),
  };
}

/** Whether a chat message is a keepalive (heartbeat type or empty): not shown. */
export function isChatKeepalive(message: ChatMessage): boolean {
  return (
    message.contentType.toLowerCase() === 'text/x-msrp-heartbeat' || message.bytes.length === 0
  );
}

/** The text of a received chat message without its final newline, or what stands for it. */
export function chatText(message: ChatMessage): string {
  if (message.text === undefined) {
    return `[${message.contentType}, ${message.bytes.length} bytes: not shown]`;
  }
  return message.text.replace(/\r?\n$/, '');
}

/** How a received chat line is shown: each line prefixed with "< ". */
function showChatText(message: ChatMessage): string {
  return chatText(message)
    .split(/\r?\n/)
    .map((line) => `< ${line}`)
    .join('\n');
}

/**
 * Wires `chat`'s events to the output; returns `sent`, to call with each line we send so
 * its notifications can name it.
 */
export function showChat(
  chat: Chat,
  out: Output,
  options: ChatViewOptions,
): (messageId: string, text: string) => void {
  // The text of our lines awaiting notifications, bounded like the Chat's own tracking.
  const ours = new Map<string, string>();
  const mark = (kind: 'delivered' | 'displayed' | 'failed', n: ChatNotification): void => {
    const text = ours.get(n.messageId) ?? '';
    if (kind !== 'delivered') ours.delete(n.messageId);
    const label =
      kind === 'delivered' ? '✓ delivered' : kind === 'displayed' ? '✓✓ read' : '✗ failed';
    out.status(`${label}: ${text}`, {
      event: kind,
      messageId: n.messageId,
      text,
      ...(kind === 'failed' && { status: n.imdn.status }),
    });
  };
  chat.on('delivered', (n) => mark('delivered', n));
  chat.on('displayed', (n) => mark('displayed', n));
  chat.on('failed', (n) => mark('failed', n));
  chat.on('composing', () => {
    if (options.setTyping && !out.json) options.setTyping(true);
    else out.status('the peer is typing…', { event: 'composing' });
  });
  chat.on('idle', () => {
    if (options.setTyping && !out.json) options.setTyping(false);
    else out.status('the peer stopped typing', { event: 'idle' });
  });
  chat.on('message', (message) => {
    if (isChatKeepalive(message)) return;
    if (out.json) {
      out.event({
        event: 'message',
        messageId: message.messageId,
        text: message.text,
        ...cpimMetadata(message),
      });
    } else {
      options.show(showChatText(message));
    }
    if (options.markDisplayed) void chat.markDisplayed(message);
  });
  chat.on('other', (message) => {
    // A file (a text one: other types get 415): refused, its chunks answered 413, where
    // drained it would be confirmed; the connection keeps flowing either way.
    message.discard();
    const what = message.filename
      ? `the file ${oneLine(message.filename)}`
      : `a message of type ${message.contentType ? mediaTypeOf(message.contentType) : 'none'}`;
    out.status(`refused ${what}: chat takes lines of text, msrp listen takes files`, {
      event: 'other',
      messageId: message.messageId,
    });
  });
  chat.on('malformed', (problem) =>
    out.error(`malformed message from the peer (${problem.reason}): ${problem.error.message}`, {
      reason: problem.reason,
    }),
  );
  chat.on('error', (e) => {
    if (options.quiet?.() !== true) out.error(`could not send a notification: ${e.message}`);
  });
  return (messageId, text) => {
    ours.set(messageId, text);
    if (ours.size > 1000) ours.delete(ours.keys().next().value!);
    out.event({ event: 'sent', messageId, text });
  };
}
