// Dialers that let a test watch what an endpoint's outbound connections receive: every
// stream they open is also fed to a Parser of our own, so a test can wait for the Nth
// response (to a bind or a keepalive) without touching the endpoint.
import {
  defaultDialers,
  Parser,
  type Dialer,
  type Head,
  type ResponseHead,
} from '../../src/index.js';

/** Records the responses arriving on the connections its dialers open. */
export class WireTap {
  /** Responses received, over all connections, in order. */
  readonly responses: ResponseHead[] = [];
  /** Connections opened. */
  connections = 0;
  /** Dialers to pass as `EndpointOptions.dialers`. */
  readonly dialers: Readonly<Record<string, Dialer>>;
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor() {
    const tcp = defaultDialers.msrp!;
    this.dialers = {
      msrp: async (uri, options) => {
        const stream = await tcp(uri, options);
        this.connections++;
        let head: Head | undefined;
        const parser = new Parser({
          head: (h) => {
            head = h;
          },
          body: () => true,
          end: () => {
            if (head?.kind === 'response') this.#add(head);
          },
        });
        // Sees each read before the connection that opens the stream does.
        const open = stream.open.bind(stream);
        stream.open = (events) =>
          open({
            data: (bytes) => {
              parser.push(bytes);
              events.data(bytes);
            },
            // Called through `events`: a connection's are methods of a class (not spreadable).
            drain: () => events.drain(),
            end: () => events.end(),
            endWhilePaused: () => events.endWhilePaused(),
            finished: () => events.finished(),
            error: (e) => events.error(e),
            close: () => events.close(),
          });
        return stream;
      },
    };
  }

  /** Resolves once `count` responses arrived; rejects after `timeout` ms. */
  async responsesSeen(count: number, timeout = 10_000): Promise<void> {
    if (this.responses.length >= count) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#waiters.push({ count, resolve })),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${this.responses.length} of ${count} responses seen`)),
          timeout,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  #add(response: ResponseHead): void {
    this.responses.push(response);
    for (const w of [...this.#waiters]) {
      if (this.responses.length >= w.count) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}
