/**
 * Decides how much a config change must push. Endpoint-kind changes
 * (EndpointSlice, Endpoints, Pod, WorkloadEntry, and Node, whose labels are
 * its Pods' locality) that only move endpoints of EDS services need EDS for
 * those hosts alone. A change to Istio config visible in some
 * namespaces only is a full push scoped to their proxies. Anything else is a
 * full push. STATIC and DNS ServiceEntries count as "anything else": their
 * clusters carry their endpoints inline, so CDS must be regenerated. A
 * changed gateway credential is pushed to the proxies of its namespace.
 *
 * Relies on buildSnapshot keeping unchanged parts by reference.
 */
import { changedKeys, kindOfKey, type ChangeSet } from '../config/change-set.js';
import { ENDPOINT_KINDS } from '../config/kinds.js';
import { configChangeScope } from './change-scope.js';
import { passthroughMtlsChanged } from './passthrough-mtls-change.js';
import { endpointPush, fullPush, scopedPush, type PushRequest } from './push-request.js';
import type { MeshSnapshot } from '../model/types.js';

export function classifyChange(changes: ChangeSet, previous: MeshSnapshot | undefined, next: MeshSnapshot): PushRequest {
  const keys = changedKeys(changes);
  if (!previous) return fullPush('initial', keys);
  if (!sameServicesAndConfig(previous, next)) {
    const scope = sameServicesAndEndpoints(previous, next) ? configChangeScope(previous, next) : 'all';
    return scope === 'all' ? fullPush('config', keys) : scopedPush('config', scope, keys);
  }
  if (previous.gatewayCredentials !== next.gatewayCredentials) {
    // Only gateways in a changed Secret's own namespace may read it over SDS; a rotated certificate must reach them.
    return scopedPush('secret', secretNamespaces(keys), keys);
  }
  const hosts = changedEndpointHosts(previous, next);
  if (hosts.length === 0) return endpointPush([]);
  const onlyEndpointKinds = [...changes.kinds].every((kind) => ENDPOINT_KINDS.has(kind));
  const allEds = hosts.every((host) => next.services.get(host)?.resolution === 'EDS');
  // ISTIO_MUTUAL clusters verify the service accounts of a service's endpoints (SANs in CDS): a new one needs CDS too, as in Istio.
  const sameIdentities = hosts.every((host) => sameServiceAccounts(previous, next, host));
  const samePassthroughMtls = !hosts.some((host) => passthroughMtlsChanged(previous, next, host));
  return onlyEndpointKinds && allEds && sameIdentities && samePassthroughMtls ? endpointPush(hosts) : fullPush('config', keys);
}

function serviceAccountsOf(snapshot: MeshSnapshot, host: string): Set<string> {
  const accounts = new Set<string>();
  for (const endpoint of snapshot.endpoints.get(host) ?? []) if (endpoint.serviceAccount) accounts.add(endpoint.serviceAccount);
  return accounts;
}

function sameServiceAccounts(previous: MeshSnapshot, next: MeshSnapshot, host: string): boolean {
  const before = serviceAccountsOf(previous, host);
  const after = serviceAccountsOf(next, host);
  return before.size === after.size && [...before].every((a) => after.has(a));
}

/** True when the request regenerates nothing: the change did not alter the snapshot (e.g. a Pod annotation). */
export function isEmptyPush(request: PushRequest): boolean {
  return !request.full && request.endpointHosts.size === 0;
}

function secretNamespaces(keys: readonly string[]): Set<string> {
  const namespaces = new Set<string>();
  for (const key of keys) {
    if (kindOfKey(key) !== 'Secret') continue;
    const [, namespace] = key.split('/');
    if (namespace) namespaces.add(namespace);
  }
  return namespaces;
}

function sameServicesAndConfig(previous: MeshSnapshot, next: MeshSnapshot): boolean {
  return (
    previous.mesh === next.mesh &&
    sameMap(previous.services, next.services) &&
    sameList(previous.virtualServices, next.virtualServices) &&
    sameList(previous.destinationRules, next.destinationRules) &&
    sameList(previous.gateways, next.gateways) &&
    sameList(previous.sidecars, next.sidecars) &&
    sameList(previous.peerAuthentications, next.peerAuthentications) &&
    sameList(previous.authorizationPolicies, next.authorizationPolicies) &&
    sameList(previous.requestAuthentications, next.requestAuthentications)
  );
}

function sameServicesAndEndpoints(previous: MeshSnapshot, next: MeshSnapshot): boolean {
  return previous.mesh === next.mesh && previous.services === next.services && previous.endpoints === next.endpoints;
}

function changedEndpointHosts(previous: MeshSnapshot, next: MeshSnapshot): string[] {
  const hosts: string[] = [];
  if (previous.endpoints === next.endpoints) return hosts;
  for (const host of next.endpoints.hosts()) if (previous.endpoints.get(host) !== next.endpoints.get(host)) hosts.push(host);
  for (const host of previous.endpoints.hosts()) if (next.endpoints.get(host) === undefined) hosts.push(host);
  return hosts;
}

function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

function sameList<V>(a: readonly V[], b: readonly V[]): boolean {
  return a.length === b.length && a.every((value, i) => b[i] === value);
}
