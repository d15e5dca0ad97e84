// The accounts the relay benches' relay knows (and Kamailio's, in bench/relay-kamailio.ts).
// Their own module: importing bench/relay-peer.ts would run a peer process's message loop.
export const USERS = [
  { username: 'alice', password: 'alice-bench' },
  { username: 'bob', password: 'bob-bench' },
];
