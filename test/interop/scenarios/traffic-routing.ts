/**
 * The Istio routing objects of each traffic-management scenario: one
 * VirtualService and one DestinationRule for "reviews", whose subsets are the
 * backends' "version" labels. Each scenario routes to a subset of its own, so
 * traffic landing there (or failures naming its backend) shows the new
 * config reached the client.
 */
import { NAMESPACE, SERVICE, type Manifest } from './traffic-mesh.js';

/** Backend pods by subset (their "version" label). */
export const PODS_BY_SUBSET: Readonly<Record<string, readonly string[]>> = {
  v1: ['reviews-v1'],
  v2: ['reviews-v2'],
  flaky: ['reviews-flaky'],
  slow: ['reviews-slow'],
  ring: ['reviews-ring-a', 'reviews-ring-b', 'reviews-ring-c'],
  od: ['reviews-od-good', 'reviews-od-bad'],
  cb: ['reviews-cb'],
};

type Spec = Readonly<Record<string, unknown>>;

export function destination(subset: string): Spec {
  return { destination: { host: SERVICE, subset } };
}

export function virtualService(http: readonly Spec[], name = SERVICE): Manifest {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: NAMESPACE },
    spec: { hosts: [SERVICE], http },
  };
}

export function destinationRule(trafficPolicy?: Spec, subsetPolicies: Readonly<Record<string, Spec>> = {}): Manifest {
  const subsets = Object.keys(PODS_BY_SUBSET).map((name) => ({
    name,
    labels: { version: name },
    ...(subsetPolicies[name] ? { trafficPolicy: subsetPolicies[name] } : {}),
  }));
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: SERVICE, namespace: NAMESPACE },
    spec: { host: SERVICE, ...(trafficPolicy ? { trafficPolicy } : {}), subsets },
  };
}

/** Everything to v1: the starting point. */
export function allToV1(): Manifest[] {
  return [virtualService([{ route: [destination('v1')] }]), destinationRule()];
}

export const END_USER_HEADER = 'end-user';

/** Istio's Bookinfo rule: end-user jason to v2, everyone else to v1. */
export function headerMatch(): Manifest[] {
  return [
    virtualService([
      { match: [{ headers: { [END_USER_HEADER]: { exact: 'jason' } } }], route: [destination('v2')] },
      { route: [destination('v1')] },
    ]),
    destinationRule(),
  ];
}

/** Istio refuses retryOn with attempts 0 (validateHTTPRetry: "retry policy configured when attempts are set to 0"). */
export function retries(attempts: number): Manifest[] {
  const policy = attempts === 0 ? { attempts } : { attempts, retryOn: 'unavailable' };
  return [virtualService([{ route: [destination('flaky')], retries: policy }]), destinationRule()];
}

/** To the slow backend, with a VirtualService timeout or none. */
export function slowRoute(timeout?: string): Manifest[] {
  return [virtualService([{ route: [destination('slow')], ...(timeout ? { timeout } : {}) }]), destinationRule()];
}

/** To one subset, with no other route feature: the control the fault scenarios start from. */
export function plainRoute(subset: string): Manifest[] {
  return [virtualService([{ route: [destination(subset)] }]), destinationRule()];
}

/** To v1 with a VirtualService fault. */
export function fault(fault: Spec): Manifest[] {
  return [virtualService([{ route: [destination('v1')], fault }]), destinationRule()];
}

export const HASH_HEADER = 'x-user';

export function ringHash(): Manifest[] {
  return [
    virtualService([{ route: [destination('ring')] }]),
    destinationRule({ loadBalancer: { consistentHash: { httpHeaderName: HASH_HEADER } } }),
  ];
}

export function outlierDetection(): Manifest[] {
  return [
    virtualService([{ route: [destination('od')] }]),
    destinationRule({
      outlierDetection: { consecutive5xxErrors: 2, consecutiveGatewayErrors: 2, interval: '1s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
    }),
  ];
}

export function circuitBreaker(): Manifest[] {
  return [virtualService([{ route: [destination('cb')] }]), destinationRule({ connectionPool: { http: { http2MaxRequests: 1 } } })];
}

/** To the circuit-breaker backend with no connection-pool limit: the control for circuitBreaker(). */
export function unlimitedToCb(): Manifest[] {
  return [virtualService([{ route: [destination('cb')] }]), destinationRule()];
}
