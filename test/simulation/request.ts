/**
 * A request as the simulator sends it. `mode` says how it reaches Envoy:
 * "outbound" is an application's connection redirected by iptables to the
 * sidecar's virtualOutbound listener (15001), keeping its original
 * destination; "inbound" is a connection to the workload redirected to
 * virtualInbound (15006); "gateway" reaches a gateway's listener directly.
 */
export type RequestProtocol = 'http' | 'https' | 'tcp' | 'tls';

export interface SimulatedRequest {
  /** http: plain HTTP/1.1; https: HTTP inside TLS; tcp: opaque bytes; tls: opaque TLS (SNI only). */
  readonly protocol: RequestProtocol;
  /** The destination address the client dialled (a service VIP for a sidecar). */
  readonly address: string;
  readonly port: number;
  readonly mode?: 'outbound' | 'inbound' | 'gateway';
  /** Host (:authority) header; defaults to address:port. */
  readonly authority?: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS server name; defaults to the authority without port for https and tls. */
  readonly sni?: string;
  /** ALPN the client offers in its TLS ClientHello. */
  readonly alpn?: readonly string[];
  /**
   * Whether the TLS client presents a certificate (a sidecar presents its
   * workload certificate); a chain that requires one then refuses a client
   * without. Left out, the simulator does not check it.
   */
  readonly clientCertificate?: boolean;
}

export interface NormalizedRequest extends Required<Omit<SimulatedRequest, 'alpn' | 'sni' | 'headers' | 'clientCertificate'>> {
  readonly sni: string | undefined;
  readonly clientCertificate: boolean | undefined;
  readonly alpn: readonly string[];
  /** Lower-cased names, with the pseudo-headers :authority, :path and :method. */
  readonly headers: ReadonlyMap<string, string>;
  readonly isTls: boolean;
  readonly carriesHttp: boolean;
}

export function normalizeRequest(request: SimulatedRequest): NormalizedRequest {
  const isTls = request.protocol === 'https' || request.protocol === 'tls';
  const authority = request.authority ?? `${request.address}:${request.port}`;
  const path = request.path ?? '/';
  const method = request.method ?? 'GET';
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name.toLowerCase(), value);
  headers.set(':authority', authority);
  headers.set(':path', path);
  headers.set(':method', method);
  return {
    protocol: request.protocol,
    address: request.address,
    port: request.port,
    mode: request.mode ?? 'outbound',
    authority,
    path,
    method,
    sni: request.sni ?? (isTls ? stripPort(authority) : undefined),
    alpn: request.alpn ?? (request.protocol === 'https' ? ['h2', 'http/1.1'] : []),
    clientCertificate: request.clientCertificate,
    headers,
    isTls,
    carriesHttp: request.protocol === 'http' || request.protocol === 'https',
  };
}

export function stripPort(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end < 0 ? authority : authority.slice(0, end + 1);
  }
  const colon = authority.lastIndexOf(':');
  return colon >= 0 && authority.indexOf(':') === colon && /^[0-9]+$/.test(authority.slice(colon + 1)) ? authority.slice(0, colon) : authority;
}
