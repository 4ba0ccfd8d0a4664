/**
 * How Istio classifies a Gateway server (pkg/config/gateway and
 * pkg/config/protocol): by its port protocol, case-insensitive, and its TLS
 * mode.
 */
import type { GatewayServer } from '../../../model/types.js';

export type ServerTlsMode = 'PASSTHROUGH' | 'SIMPLE' | 'MUTUAL' | 'AUTO_PASSTHROUGH' | 'ISTIO_MUTUAL' | 'OPTIONAL_MUTUAL';

/** The fields of ServerTLSSettings the gateway generators read. */
export interface ServerTls {
  readonly httpsRedirect?: boolean;
  readonly mode?: ServerTlsMode;
  readonly credentialName?: string;
  readonly credentialNames?: readonly string[];
  readonly caCertCredentialName?: string;
  readonly subjectAltNames?: readonly string[];
  readonly verifyCertificateSpki?: readonly string[];
  readonly verifyCertificateHash?: readonly string[];
  readonly minProtocolVersion?: string;
  readonly maxProtocolVersion?: string;
  readonly cipherSuites?: readonly string[];
  readonly ecdhCurves?: readonly string[];
}

const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-WEB']);

export function serverProtocol(server: GatewayServer): string {
  return (server.port.protocol ?? '').toUpperCase();
}

export function isHttpProtocol(protocol: string): boolean {
  return HTTP_PROTOCOLS.has(protocol.toUpperCase());
}

export function serverTls(server: GatewayServer): ServerTls | undefined {
  return server.tls as ServerTls | undefined;
}

/** TLS mode as Istio defaults it: PASSTHROUGH is the enum's zero value. */
export function tlsModeOf(tls: ServerTls): ServerTlsMode {
  return tls.mode ?? 'PASSTHROUGH';
}

export function isPassthroughServer(server: GatewayServer): boolean {
  const tls = serverTls(server);
  if (!tls) return false;
  const mode = tlsModeOf(tls);
  return mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH';
}

/** A server with TLS settings that is not plain HTTP (an HTTP server's tls only carries httpsRedirect). */
export function isTlsServer(server: GatewayServer): boolean {
  return serverTls(server) !== undefined && !isHttpProtocol(serverProtocol(server));
}

/** Servers that end in an HTTP connection manager: HTTP ones, and HTTPS ones that terminate TLS. */
export function isHttpServer(server: GatewayServer): boolean {
  const protocol = serverProtocol(server);
  return isHttpProtocol(protocol) || (protocol === 'HTTPS' && !isPassthroughServer(server));
}

export function isHttpsTerminating(server: GatewayServer): boolean {
  return serverTls(server) !== undefined && serverProtocol(server) === 'HTTPS' && !isPassthroughServer(server);
}

/** Not passthrough and neither HTTP nor HTTPS: a TLS (or TCP) server whose TLS, if any, the gateway terminates. */
export function isTcpServerWithTlsTermination(server: GatewayServer): boolean {
  const protocol = serverProtocol(server);
  return !isPassthroughServer(server) && !isHttpProtocol(protocol) && protocol !== 'HTTPS';
}
