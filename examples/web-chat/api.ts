// What the web chat's page and its server say to each other over HTTP (server.ts serves it,
// chat-client.ts and page.ts call it): the page's configuration, the rendezvous's messages, and
// the page's calls to the rendezvous.

/** What the demo server tells the page (`GET /config.json`). */
export interface WebChatConfig {
  /** The relay's WebSocket URI, e.g. `msrp://127.0.0.1:8080;ws`. */
  readonly relay: string;
  /** The relay's TCP URI, for terminals (`msrp chat --relay`). */
  readonly relayTcp: string;
}

/** What a page POSTs to `/rooms/NAME`: who it is and where it waits (its session's path). */
export interface RoomEntry {
  /** Random id of the page (tab), so that a page joining again replaces its own entry. */
  readonly id: string;
  /** The user name shown to the peer. */
  readonly name: string;
  /** The session's path, URIs separated by spaces (relay first), as SDP a=path writes it. */
  readonly path: string;
}

/** The answer to a join: the peer, and whether we connect to it or wait for it. */
export interface Pairing {
  readonly peer: { readonly name: string; readonly path: string };
  /** True for the page that joined second: it calls `session.connect(peer.path)`. */
  readonly connects: boolean;
}

/** Why a join ended without a peer. */
export type JoinResult = Pairing | { readonly gone: 'replaced' | 'left' | 'closed' };

/** Joins `room` at the rendezvous served from `base`: resolves once paired (long poll). */
export async function joinRoom(
  base: string,
  room: string,
  entry: RoomEntry,
  signal: AbortSignal,
): Promise<JoinResult> {
  const response = await fetch(`${base}/rooms/${encodeURIComponent(room)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(entry),
    signal,
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as JoinResult;
}

/** Takes the page `id` out of `room`, if it still waits there. */
export async function leaveRoom(base: string, room: string, id: string): Promise<void> {
  const query = `id=${encodeURIComponent(id)}`;
  await fetch(`${base}/rooms/${encodeURIComponent(room)}?${query}`, { method: 'DELETE' });
}
