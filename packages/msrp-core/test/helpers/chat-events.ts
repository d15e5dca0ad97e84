import type { Chat, ChatEvents } from '../../src/index.js';

/** The arguments of the next `event` of `chat`; rejects when none comes within 5 s. */
export function nextChatEvent<K extends keyof ChatEvents>(
  chat: Chat,
  event: K,
): Promise<ChatEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(event)} within 5 s`)), 5000);
    chat.once(event, (...args: ChatEvents[K]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}
