// The script browser-chromium.test.ts adds to a blank page in headless Chromium, bundled by
// esbuild for the browser: it opens a WebSocket with the browser's own class, wraps it in the
// browser entry's webSocketStream and destroys that stream, with or without an error.
import { webSocketStream } from '@msrp-ts/msrp-core/browser';

/**
 * Opens a WebSocket to `url` (subprotocol `msrp`) and destroys its stream once it is open,
 * with an Error of `message` if one is given. Resolves once the socket has closed.
 */
async function destroyOpen(url: string, message?: string): Promise<void> {
  const socket = new WebSocket(url, ['msrp']);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`Cannot open ${url}`)), { once: true });
  });
  const closed = new Promise((resolve) =>
    socket.addEventListener('close', resolve, { once: true }),
  );
  webSocketStream(socket).destroy(message === undefined ? undefined : new Error(message));
  await closed;
}

(globalThis as unknown as { closePage: { destroyOpen: typeof destroyOpen } }).closePage = {
  destroyOpen,
};
