/**
 * Host names as Istio's analyzers read them (pkg/config/analysis/analyzers/util
 * and pkg/config/host), and the index of the services a host can name:
 * Kubernetes Services and ServiceEntry hosts, each visible in the namespaces
 * it is exported to.
 */
import type { ConfigObject } from '../config-object.js';
import { hostsOverlap } from '../host-overlap.js';
import { asNumber, asString, objectsOf, specOf, stringsOf } from './json.js';

/** A host with no dot (and no wildcard) is a Kubernetes Service in `namespace`; anything else is taken as written. */
export function toFqdn(host: string, namespace: string, domainSuffix: string): string {
  if (host.startsWith('*') || host.includes('.')) return host;
  return `${host}.${namespace}.svc.${domainSuffix}`;
}

export { hostsOverlap } from '../host-overlap.js';

/** "ns/name" for a reference that names its namespace, else `namespace`/reference (Istio's NewShortOrFullName). */
export function shortOrFullName(reference: string, namespace: string): { readonly namespace: string; readonly name: string } {
  const slash = reference.indexOf('/');
  return slash >= 0 ? { namespace: reference.slice(0, slash), name: reference.slice(slash + 1) } : { namespace, name: reference };
}

export interface IndexedPort {
  readonly number: number;
  readonly name: string;
}

/** One host a destination can name: a Kubernetes Service, or one host of a ServiceEntry. */
export interface IndexedService {
  readonly object: ConfigObject;
  /** The FQDN (a ServiceEntry host as written, made fully qualified when it is a short name). */
  readonly host: string;
  readonly ports: readonly IndexedPort[];
}

const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

/**
 * Services by "scope/fqdn", scope being "*" (every namespace) or the one
 * namespace that can see the host. A Service is exported where its
 * networking.istio.io/exportTo annotation says (default everywhere), a
 * ServiceEntry where its exportTo says. A later definition of the same scoped
 * host replaces an earlier one; Services are indexed after ServiceEntries.
 */
export class ServiceIndex {
  private readonly entries = new Map<string, IndexedService>();
  private readonly wildcards: [scope: string, service: IndexedService][] = [];

  constructor(serviceEntries: readonly ConfigObject[], services: readonly ConfigObject[], domainSuffix: string) {
    for (const entry of serviceEntries) {
      const spec = specOf(entry);
      const ports = objectsOf(spec['ports']).map(([port]) => ({ number: asNumber(port['number']) ?? 0, name: asString(port['name']) ?? '' }));
      const scopes = exportScopes(stringsOf(spec['exportTo']), entry.metadata.namespace);
      for (const host of stringsOf(spec['hosts'])) {
        const service = { object: entry, host: toFqdn(host, entry.metadata.namespace, domainSuffix), ports };
        for (const scope of scopes) this.add(scope, service);
      }
    }
    for (const object of services) {
      const ports = objectsOf(specOf(object)['ports']).map(([port]) => ({ number: asNumber(port['port']) ?? 0, name: asString(port['name']) ?? '' }));
      const service = { object, host: `${object.metadata.name}.${object.metadata.namespace}.svc.${domainSuffix}`, ports };
      const annotation = object.metadata.annotations[EXPORT_TO_ANNOTATION];
      const exportTo = annotation === undefined || annotation === '' ? [] : annotation.split(',').map((part) => part.trim());
      for (const scope of exportScopes(exportTo, object.metadata.namespace)) this.add(scope, service);
    }
    this.wildcards.sort((a, b) => compare(`${a[0]}/${a[1].host}`, `${b[0]}/${b[1].host}`));
  }

  /**
   * The service `host` names for config in `namespace` whose own exportTo is
   * `exportTo` (Istio's GetDestinationHost): the host exported everywhere, or
   * to the namespace, or to a namespace the config is exported to; else a
   * wildcard ServiceEntry host visible there that covers it.
   */
  lookup(namespace: string, exportTo: readonly string[], host: string, domainSuffix: string): IndexedService | undefined {
    const fqdn = toFqdn(host, namespace, domainSuffix);
    const everywhere = this.entries.get(`*/${fqdn}`);
    if (everywhere) return everywhere;
    const scopes = exportTo.length === 0 ? [namespace] : exportTo.map((scope) => (scope === '.' ? namespace : scope));
    for (const scope of scopes) {
      const found = this.entries.get(`${scope}/${fqdn}`);
      if (found) return found;
    }
    const bare = host.startsWith('*') ? host.slice(1) : host;
    for (const [scope, service] of this.wildcards) {
      if (scope !== '*' && scope !== namespace) continue;
      if (bare.endsWith(service.host.slice(1))) return service;
    }
    return undefined;
  }

  /** Whether a wildcard host (a DestinationRule's "*.foo.com") covers any host visible in `namespace`. */
  coversAny(namespace: string, wildcardHost: string): boolean {
    for (const [key] of this.entries) {
      const slash = key.indexOf('/');
      const scope = key.slice(0, slash);
      if ((scope === '*' || scope === namespace) && hostsOverlap(wildcardHost, key.slice(slash + 1))) return true;
    }
    return false;
  }

  private add(scope: string, service: IndexedService): void {
    this.entries.set(`${scope}/${service.host}`, service);
    if (service.host.startsWith('*')) this.wildcards.push([scope, service]);
  }
}

/** exportTo as scopes: none → everywhere; "." → the object's namespace; "*" wins over the rest. */
function exportScopes(exportTo: readonly string[], namespace: string): string[] {
  if (exportTo.length === 0 || exportTo.includes('*')) return ['*'];
  return [...new Set(exportTo.map((scope) => (scope === '.' ? namespace : scope)))];
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
