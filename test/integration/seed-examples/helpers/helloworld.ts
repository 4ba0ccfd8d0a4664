/**
 * The seed's 13 helloworld examples all run behind helloworld-gateway on the
 * demo ingress gateway: `curl http://<ingress>/istio` from outside. This
 * loads one example on top of the application and sends that request.
 */
import type { MeshSnapshot } from '../../../../src/model/types.js';
import { simulate, type SimulationResult } from '../../../simulation/simulate.js';
import type { SimulatedRequest } from '../../../simulation/request.js';
import type { XdsResources } from '../../../simulation/xds-view.js';
import { loadSeedExample } from './load-example.js';
import { ingressGateway, proxyConfig } from './proxy-config.js';

export const HELLOWORLD = 'helloworld.helloworld.svc.cluster.local';
export const SAFE_POD = '10.244.1.10:80';
export const RISKY_POD = '10.244.1.11:80';
export const TIMEOUT_POD = '10.244.1.12:80';

/** outbound|80|<subset>|helloworld.helloworld.svc.cluster.local (Istio's BuildSubsetKey). */
export function helloworldCluster(subset = ''): string {
  return `outbound|80|${subset}|${HELLOWORLD}`;
}

export interface HelloworldExample {
  readonly snapshot: MeshSnapshot;
  readonly gateway: XdsResources;
}

export async function loadHelloworldExample(example: string): Promise<HelloworldExample> {
  const snapshot = await loadSeedExample('helloworld-app', 'ingress-gateway', example);
  return { snapshot, gateway: proxyConfig(snapshot, ingressGateway()) };
}

/** curl http://172.17.255.200/istio, as the examples' load loop does; the Service maps port 80 to the pod's 8080. */
export function curlIstio(gateway: XdsResources, extra: Partial<SimulatedRequest> = {}): SimulationResult {
  return simulate(gateway, { protocol: 'http', mode: 'gateway', address: '10.244.0.5', port: 8080, authority: '172.17.255.200', path: '/istio', ...extra });
}

export function endpointsOf(result: SimulationResult, cluster: string): string[] {
  const summary = result.clusters[cluster];
  if (!summary) throw new Error(`the request does not reach ${cluster}; it reaches ${Object.keys(result.clusters).join(', ') || 'no cluster'}`);
  return summary.endpoints.map((e) => e.address).sort();
}
