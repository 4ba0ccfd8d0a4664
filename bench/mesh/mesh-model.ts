/**
 * The bench mesh as data: services, their ports and their pods. The YAML on
 * disk is rendered from this, and endpoint changes edit it and re-render one
 * file. Every address is in 127.0.0.0/8: nothing ever dials them, and a
 * mistake can then never send traffic off the machine.
 */

export interface BenchPort {
  readonly name: string;
  readonly port: number;
}

export interface BenchPod {
  readonly name: string;
  readonly ip: string;
  readonly version: 'v1' | 'v2';
}

export interface BenchService {
  readonly index: number;
  readonly name: string;
  readonly namespace: string;
  readonly clusterIP: string;
  readonly ports: readonly BenchPort[];
  /** Mutable: endpoint changes add and replace pods. */
  pods: BenchPod[];
  /** ~10% of services get a DestinationRule (subsets v1/v2) and a weighted VirtualService. */
  readonly trafficSplit: boolean;
  /** The file holding every object of this service. */
  readonly file: string;
}

export interface BenchMesh {
  readonly dir: string;
  readonly namespaces: readonly string[];
  readonly services: readonly BenchService[];
}

export function serviceHost(service: Pick<BenchService, 'name' | 'namespace'>): string {
  return `${service.name}.${service.namespace}.svc.cluster.local`;
}

/** "svc-0042-v1": the Deployment a pod belongs to (Istio's WORKLOAD_NAME). */
export function workloadName(service: BenchService, pod: BenchPod): string {
  return `${service.name}-${pod.version}`;
}

/**
 * 127.<second>.<c>.<d> for the n-th address of a block, with c and d in
 * 1..254 so no address looks like a network or broadcast address.
 */
export function loopbackAddress(secondOctetBase: number, n: number): string {
  const d = 1 + (n % 254);
  const c = 1 + (Math.floor(n / 254) % 254);
  const second = secondOctetBase + Math.floor(n / (254 * 254));
  if (second > 255) throw new RangeError(`address block ${secondOctetBase} exhausted at ${n}`);
  return `127.${second}.${c}.${d}`;
}

/** Pods are 127.10.x.y onwards, cluster IPs 127.200.x.y onwards. */
export const POD_ADDRESS_BLOCK = 10;
export const CLUSTER_IP_BLOCK = 200;
