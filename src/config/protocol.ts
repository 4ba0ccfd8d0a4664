/**
 * Istio's protocol selection for service ports (pkg/config/protocol and
 * pkg/config/kube): appProtocol first, else the port name's prefix before
 * the first "-". Istio leaves an unrecognised name to protocol sniffing;
 * tsiod does not sniff, so such ports are TCP, which is what sniffing
 * falls back to for anything that is not HTTP.
 */
/** Application protocol of a service port, as Istio names them. */
export type Protocol = 'HTTP' | 'HTTP2' | 'GRPC' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP' | 'MONGO' | 'REDIS' | 'MYSQL' | 'UNSUPPORTED';

const BY_NAME: Readonly<Record<string, Protocol>> = {
  tcp: 'TCP',
  udp: 'UDP',
  grpc: 'GRPC',
  // gRPC-Web is gRPC to the upstream (HTTP/2, gRPC framing); the Protocol type has no separate value for it.
  'grpc-web': 'GRPC',
  http: 'HTTP',
  // Istio's HTTP_PROXY only means something for Sidecar egress listeners; on a service it is plain HTTP.
  http_proxy: 'HTTP',
  http2: 'HTTP2',
  https: 'HTTPS',
  tls: 'TLS',
  mongo: 'MONGO',
  redis: 'REDIS',
  mysql: 'MYSQL',
};

/** A protocol name as written in a ServiceEntry port or an appProtocol, case-insensitive; undefined when Istio does not know it. */
export function parseProtocolName(name: string): Protocol | undefined {
  return BY_NAME[name.toLowerCase()];
}

/** Kubernetes' standard appProtocol values (KEP-3726), honoured only in appProtocol. */
const KUBERNETES_APP_PROTOCOLS: Readonly<Record<string, Protocol>> = {
  'kubernetes.io/h2c': 'HTTP2',
  'kubernetes.io/ws': 'HTTP',
  'kubernetes.io/wss': 'HTTPS',
};

/** The protocol of one Kubernetes Service port. */
export function servicePortProtocol(port: { readonly name?: string; readonly protocol?: string; readonly appProtocol?: string }): Protocol {
  if (port.protocol?.toUpperCase() === 'UDP') return 'UDP';
  let name = port.name ?? '';
  if (port.appProtocol) {
    const standard = KUBERNETES_APP_PROTOCOLS[port.appProtocol];
    if (standard) return standard;
    name = port.appProtocol;
  }
  // "grpc-web" contains the separator, so it is recognised before the prefix is cut.
  if (name.toLowerCase().startsWith('grpc-web')) return 'GRPC';
  const dash = name.indexOf('-');
  const prefix = dash >= 0 ? name.slice(0, dash) : name;
  const parsed = parseProtocolName(prefix);
  // A port named "udp-..." on a TCP Service is still TCP: the Service's own protocol field decides UDP.
  if (parsed === undefined || parsed === 'UDP') return 'TCP';
  return parsed;
}
