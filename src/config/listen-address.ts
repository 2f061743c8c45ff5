export interface ListenAddress {
  /** Undefined means every interface, IPv4 and IPv6, as exporters listen by default. */
  readonly host: string | undefined;
  readonly port: number;
}

const FORM = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/;

/** `host:port`, `:port` or `[v6]:port`; undefined when the text is none of those. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = FORM.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}
