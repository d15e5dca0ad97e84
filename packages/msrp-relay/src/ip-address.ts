/**
 * The IPv4 address an IPv4-mapped IPv6 one stands for (`::ffff:192.0.2.7` is `192.0.2.7`,
 * as a dual-stack `[::]` listener sees IPv4 clients); any other address as it is.
 */
export function unmapIpv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}
