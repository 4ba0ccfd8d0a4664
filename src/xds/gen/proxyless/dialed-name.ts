/**
 * A proxyless gRPC client names its listener after the target it dials
 * (xds:///reviews:9080 asks for listener "reviews:9080"), so the name is a
 * host, optionally with a port.
 */
export interface DialedName {
  readonly host: string;
  readonly port?: number;
}

export function parseDialedName(name: string): DialedName | undefined {
  const match = /^([^:\s]+?)(?::([0-9]{1,5}))?$/.exec(name);
  if (!match) return undefined;
  const [, host, portText] = match as unknown as [string, string, string | undefined];
  if (portText === undefined) return { host };
  const port = Number(portText);
  return port > 0 && port <= 65535 ? { host, port } : undefined;
}
