/**
 * Istio's cluster naming: "outbound|<port>|<subset>|<host>". The name is also
 * the EDS service name, and proxyless clients see it in their route actions,
 * so it must stay byte-identical to Istio's for interop and debugging.
 */
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';

export interface ClusterNameParts {
  readonly direction: 'outbound' | 'inbound';
  readonly port: number;
  readonly subset: string;
  readonly hostname: string;
}

export function outboundClusterName(hostname: string, port: number, subset = ''): string {
  return `outbound|${port}|${subset}|${hostname}`;
}

/** Undefined for names that are not Istio subset keys (BlackHoleCluster, typos, other control planes' names). */
export function parseClusterName(name: string): ClusterNameParts | undefined {
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const [direction, portText, subset, hostname] = parts as [string, string, string, string];
  if (direction !== 'outbound' && direction !== 'inbound') return undefined;
  if (!/^[0-9]+$/.test(portText) || hostname === '') return undefined;
  return { direction, port: Number(portText), subset, hostname };
}
