/**
 * The names of the listeners an xDS-enabled gRPC server asks for (gRFC
 * A36): its bootstrap's server_listener_resource_name_template with the
 * address it serves on, which pilot-agent writes as
 * "xds.istio.io/grpc/lds/inbound/%s" (Istio's grpcxds
 * ServerListenerNameTemplate), e.g.
 * "xds.istio.io/grpc/lds/inbound/10.0.0.7:8080" or ".../[::]:8080".
 */

export const SERVER_LISTENER_NAME_PREFIX = 'xds.istio.io/grpc/lds/inbound/';
export const SERVER_LISTENER_NAME_TEMPLATE = `${SERVER_LISTENER_NAME_PREFIX}%s`;

export interface InboundListenerAddress {
  /** The host part as written (brackets of an IPv6 literal removed). */
  readonly host: string;
  readonly port: number;
}

export function isInboundListenerName(name: string): boolean {
  return name.startsWith(SERVER_LISTENER_NAME_PREFIX);
}

/**
 * The address in an inbound listener name, as Go's net.SplitHostPort reads
 * it; undefined when it has none (Istio logs and skips such a name).
 */
export function inboundListenerAddress(name: string): InboundListenerAddress | undefined {
  if (!isInboundListenerName(name)) return undefined;
  const address = name.slice(SERVER_LISTENER_NAME_PREFIX.length);
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(address);
  let host: string;
  let portText: string;
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2] as string;
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) return undefined;
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    // An unbracketed IPv6 literal has more than one colon: SplitHostPort refuses it.
    if (host.includes(':') || host.includes('[') || host.includes(']')) return undefined;
  }
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}
