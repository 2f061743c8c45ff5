/** Splits `host:port`, `:port` or `[v6]:port` (already validated by the config schema). */
export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const colon = address.lastIndexOf(':');
  const rawHost = address.slice(0, colon);
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  // An empty host means every interface, IPv4 and IPv6, as exporters listen by default.
  return { host: host === '' ? undefined : host, port: Number(address.slice(colon + 1)) };
}
