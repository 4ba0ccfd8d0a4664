/**
 * The ports a sidecar accepts inbound traffic on, each with its own filter
 * chain on virtualInbound (or its own listener) and its own inbound
 * cluster (Istio's buildInboundChainConfigs and buildInboundClusters):
 * the Sidecar resource's ingress listeners when it declares any, else one
 * per port the proxy's own workload serves. Listeners and clusters are both
 * built from this list, so they cannot disagree on a port.
 */
import { parseProtocolName } from '../../../config/protocol.js';
import type { InterceptionMode, ProxyNode } from '../../../model/proxy.js';
import type { ConnectionPoolSettings, IstioConfig, MeshSnapshot, Protocol, SidecarIngress, SidecarSpec } from '../../../model/types.js';
import { proxyServiceInstances } from '../common/proxy-service-instances.js';

export const WILDCARD_BIND = '0.0.0.0';
export const UNIX_PREFIX = 'unix://';

/** Where an inbound cluster sends: absent for the connection's original destination. */
export interface InboundEndpoint {
  /** An IP, or "unix://<path>" for a Unix domain socket. */
  readonly address: string;
  /** 0 for a Unix domain socket. */
  readonly port: number;
}

export interface InboundPort {
  /** The port the chain matches and the cluster is named after ("inbound|<port>||"). */
  readonly port: number;
  /** The service's own port (the Sidecar's port for ingress listeners): the virtual host and trace operation name it. */
  readonly servicePort: number;
  readonly protocol: Protocol;
  /** The service host this port serves, or "<sidecar>.<namespace>" for a Sidecar ingress listener (Istio's synthetic name). */
  readonly hostname: string;
  /** The address the chain's name (and, when it binds, its listener) uses. */
  readonly bind: string;
  /** A listener of its own that binds the port, rather than a chain on virtualInbound (captureMode NONE). */
  readonly bindToPort: boolean;
  readonly endpoint?: InboundEndpoint;
  /** The Sidecar's connection limits for this port (Istio's InboundConnectionPoolForPort). */
  readonly connectionPool?: ConnectionPoolSettings;
}

/** What an inbound chain depends on: the port without the cluster's concerns. */
export type InboundChainPort = Omit<InboundPort, 'endpoint' | 'connectionPool'>;

export function inboundChainPort(port: InboundPort): InboundChainPort {
  const { endpoint: _endpoint, connectionPool: _connectionPool, ...chain } = port;
  return chain;
}

/** The capture listeners' own ports (Istio's ProxyListenPort and ProxyInboundListenPort). */
const CAPTURE_PORTS: readonly number[] = [15001, 15006];

/**
 * The proxy's status and Prometheus listeners (ENVOY_STATUS_PORT and
 * ENVOY_PROMETHEUS_PORT, which pilot-agent always sends; its defaults
 * otherwise): an inbound chain on one of them would never be reached.
 */
function staticListenerPorts(proxy: ProxyNode): number[] {
  const port = (key: string, fallback: number): number => {
    const value = Number(proxy.metadata[key]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return [port('ENVOY_STATUS_PORT', 15021), port('ENVOY_PROMETHEUS_PORT', 15090)];
}

export function interceptionOf(proxy: ProxyNode): InterceptionMode {
  return proxy.interceptionMode ?? 'REDIRECT';
}

/** Istio's getBindToPort: a listener without its own capture mode follows the proxy's. */
function bindsToPort(captureMode: string | undefined, interception: InterceptionMode): boolean {
  if (captureMode === undefined || captureMode === 'DEFAULT') return interception === 'NONE';
  return captureMode === 'NONE';
}

function isIpv4(address: string): boolean {
  return /^[0-9]+(\.[0-9]+){3}$/.test(address);
}

/** Splits "host:port" and "[v6]:port"; undefined when there is no numeric port. */
function splitHostPort(text: string): { host: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const portText = text.slice(colon + 1);
  if (!/^[0-9]+$/.test(portText)) return undefined;
  let host = text.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number(portText) };
}

/**
 * Istio's reading of ingress.defaultEndpoint: loopback stays loopback
 * (127.0.0.1 preferred for an IPv4 proxy), the unspecified address means
 * the pod's own IP of that family, and a Unix socket is used as given.
 * Undefined result with `ok` false: an endpoint Istio skips.
 */
function ingressEndpoint(defaultEndpoint: string | undefined, proxyIps: readonly string[]): { ok: boolean; endpoint?: InboundEndpoint } {
  if (!defaultEndpoint) return { ok: true };
  if (defaultEndpoint.startsWith(UNIX_PREFIX)) return { ok: true, endpoint: { address: defaultEndpoint, port: 0 } };
  const split = splitHostPort(defaultEndpoint);
  if (!split) return { ok: false };
  const v4 = proxyIps.find(isIpv4);
  const v6 = proxyIps.find((ip) => ip.includes(':'));
  const ipv6Only = v4 === undefined && v6 !== undefined;
  let address: string | undefined;
  if (split.host === '0.0.0.0') address = v4 ?? '127.0.0.1';
  else if (split.host === '::') address = v6 ?? '::1';
  else if (split.host === '127.0.0.1' || split.host === '::1') address = ipv6Only ? '::1' : '127.0.0.1';
  return address ? { ok: true, endpoint: { address, port: split.port } } : { ok: false };
}

function ingressPort(
  ingress: SidecarIngress,
  sidecar: IstioConfig<SidecarSpec>,
  proxy: ProxyNode,
  interception: InterceptionMode,
): InboundPort | undefined {
  const number = ingress.port?.number;
  if (typeof number !== 'number' || number <= 0) return undefined;
  const protocol = parseProtocolName(ingress.port?.protocol ?? '');
  // Istio's conflictWithReservedListener, without the capture ports (it passes no push context for ingress).
  const onWildcard = ingress.bind ? ingress.bind === WILDCARD_BIND : protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC';
  if (onWildcard && staticListenerPorts(proxy).includes(number)) return undefined;
  const { ok, endpoint } = ingressEndpoint(ingress.defaultEndpoint, proxy.ipAddresses);
  if (!ok) return undefined;
  return {
    port: number,
    servicePort: number,
    // Istio sniffs a protocol it cannot parse; tsiod does not sniff, and sniffing falls back to TCP.
    protocol: protocol ?? 'TCP',
    hostname: `${sidecar.meta.name}.${sidecar.meta.namespace}`,
    bind: ingress.bind || WILDCARD_BIND,
    bindToPort: bindsToPort(ingress.captureMode, interception),
    ...(endpoint ? { endpoint } : {}),
  };
}

/**
 * Sorted by port. Where two services' ports land on the same workload
 * port, the first (by host) wins, as Istio keeps one chain per port.
 */
export function inboundPortsOf(proxy: ProxyNode, snapshot: MeshSnapshot): InboundPort[] {
  if (proxy.type !== 'sidecar') return [];
  const interception = interceptionOf(proxy);
  const sidecar = snapshot.indexes.sidecarFor(proxy.namespace, proxy.labels);
  const byPort = new Map<number, InboundPort>();
  const ingress = sidecar?.spec.ingress ?? [];
  if (sidecar && ingress.length > 0) {
    for (const listener of ingress) {
      const port = ingressPort(listener, sidecar, proxy, interception);
      if (port && !byPort.has(port.port)) byPort.set(port.port, port);
    }
  } else if (interception !== 'NONE') {
    // Without capture, a listener on the application's own port would stop the application from binding it.
    const reserved = new Set([...CAPTURE_PORTS, ...staticListenerPorts(proxy)]);
    for (const instance of proxyServiceInstances(proxy, snapshot)) {
      if (instance.servicePort.protocol === 'UDP' || reserved.has(instance.targetPort) || byPort.has(instance.targetPort)) continue;
      byPort.set(instance.targetPort, {
        port: instance.targetPort,
        servicePort: instance.servicePort.port,
        protocol: instance.servicePort.protocol,
        hostname: instance.service.hostname,
        bind: WILDCARD_BIND,
        bindToPort: false,
      });
    }
  }
  const ports = [...byPort.values()].sort((a, b) => a.port - b.port);
  return sidecar ? ports.map((p) => withConnectionPool(p, sidecar)) : ports;
}

/** Istio's InboundConnectionPoolForPort: the ingress listener's own pool for that port, else the Sidecar-wide one. */
function withConnectionPool(port: InboundPort, sidecar: IstioConfig<SidecarSpec>): InboundPort {
  const own = (sidecar.spec.ingress ?? []).find((i) => i.port?.number === port.port && i.connectionPool)?.connectionPool;
  const pool = own ?? sidecar.spec.inboundConnectionPool;
  return pool ? { ...port, connectionPool: pool } : port;
}
