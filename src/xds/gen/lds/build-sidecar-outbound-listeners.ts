/**
 * The sidecar's per-destination outbound listeners. They do not bind
 * (bindToPort false): virtualOutbound receives the connection and hands it
 * over by original destination. HTTP-family ports share one listener per
 * port number, "0.0.0.0_<port>", routed by RDS config "<port>"; other TCP
 * ports get "<vip>_<port>", proxied straight to the service's cluster.
 */
import type { MeshService } from '../../../model/types.js';
import { outboundClusterName } from '../common/cluster-names.js';
import { socketAddress } from '../common/socket-address.js';
import { isHttpPort, serviceVip } from '../common/mesh-services.js';
import { HTTP_CONNECTION_MANAGER_FILTER } from '../common/type-names.js';
import { rdsHttpConnectionManager } from './http-connection-manager.js';
import { tcpProxyFilter } from './tcp-proxy-filter.js';

const WILDCARD_ADDRESS = '0.0.0.0';

/**
 * The sidecar's own capture ports (outbound 15001, inbound 15006): a
 * 0.0.0.0 listener for a service port with the same number would collide
 * with them, so Istio does not build one.
 */
const CAPTURE_PORTS: ReadonlySet<number> = new Set([15001, 15006]);

function outboundListener(address: string, port: number, filter: Record<string, unknown>): Record<string, unknown> {
  return {
    name: `${address}_${port}`,
    address: socketAddress(address, port),
    bindToPort: { value: false },
    trafficDirection: 'OUTBOUND',
    filterChains: [{ filters: [filter] }],
  };
}

export function buildHttpListener(port: number): Record<string, unknown> {
  const hcm = rdsHttpConnectionManager(String(port), `outbound_${WILDCARD_ADDRESS}_${port}`);
  return outboundListener(WILDCARD_ADDRESS, port, { name: HTTP_CONNECTION_MANAGER_FILTER, typedConfig: hcm });
}

/** HTTP port numbers across all services, ascending: one listener and one route configuration each. */
export function httpPortNumbers(services: readonly MeshService[]): number[] {
  const ports = new Set<number>();
  for (const service of services) for (const port of service.ports) if (isHttpPort(port) && !CAPTURE_PORTS.has(port.port)) ports.add(port.port);
  return [...ports].sort((a, b) => a - b);
}

/**
 * UDP is not proxied by sidecars; a service without a VIP cannot be told
 * apart by destination address, so Istio skips it here as well.
 */
export function buildTcpListeners(services: readonly MeshService[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const service of services) {
    const vip = serviceVip(service);
    if (!vip) continue;
    for (const port of service.ports) {
      if (isHttpPort(port) || port.protocol === 'UDP') continue;
      out.push(outboundListener(vip, port.port, tcpProxyFilter(outboundClusterName(service.hostname, port.port))));
    }
  }
  return out;
}
