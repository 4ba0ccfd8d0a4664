/**
 * Which proxies a config change can affect, by namespace, so that a change
 * visible in one namespace only (a VirtualService or DestinationRule
 * exported to ".", a Sidecar or a policy outside the root namespace) pushes
 * to that namespace's proxies only: Istio's scoped push, decided here from
 * the same visibility rules the snapshot's indexes apply.
 */
import type { IstioConfig, MeshSnapshot } from '../model/types.js';

/** 'all', or the namespaces whose proxies may see a difference. */
export type ChangeScope = 'all' | ReadonlySet<string>;

type ScopeOf = (config: IstioConfig<unknown>, rootNamespace: string) => ChangeScope;

/** exportTo as the indexes read it: absent or "*" is everywhere, "." the own namespace, "~" nowhere. */
const byExportTo: ScopeOf = (config) => {
  const spec = config.spec as { readonly exportTo?: readonly string[]; readonly workloadSelector?: unknown };
  if (spec.workloadSelector) return new Set([config.meta.namespace]);
  const exportTo = spec.exportTo ?? [];
  if (exportTo.length === 0 || exportTo.includes('*')) return 'all';
  return new Set(exportTo.filter((e) => e !== '~').map((e) => (e === '.' ? config.meta.namespace : e)));
};

/** Sidecars and policies apply to their own namespace, or to the whole mesh from the root namespace. */
const byNamespace: ScopeOf = (config, root) => (config.meta.namespace === root ? 'all' : new Set([config.meta.namespace]));

/**
 * A namespace-wide PeerAuthentication also decides whether clients in any
 * namespace use auto mTLS towards that namespace's services (Istio pushes
 * it to every proxy that sees them): a change reaches everyone. One with a
 * selector shapes only its own workloads' inbound chains.
 */
const peerAuthenticationScope: ScopeOf = (config, root) => {
  const matchLabels = (config.spec as { readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> } }).selector?.matchLabels;
  return matchLabels && Object.keys(matchLabels).length > 0 ? byNamespace(config, root) : 'all';
};

/** Gateways configure gateway pods in any namespace. */
const everywhere: ScopeOf = () => 'all';

/**
 * A delegate (a VirtualService without hosts) is spliced into root
 * VirtualServices wherever those are visible, which its own exportTo does
 * not bound: push to everyone.
 */
const virtualServiceScope: ScopeOf = (config, root) => {
  const hosts = (config.spec as { readonly hosts?: readonly string[] }).hosts ?? [];
  return hosts.length === 0 ? 'all' : byExportTo(config, root);
};

const LISTS: readonly [(s: MeshSnapshot) => readonly IstioConfig<unknown>[], ScopeOf][] = [
  [(s) => s.virtualServices, virtualServiceScope],
  [(s) => s.destinationRules, byExportTo],
  [(s) => s.gateways, everywhere],
  [(s) => s.sidecars, byNamespace],
  [(s) => s.peerAuthentications, peerAuthenticationScope],
  [(s) => s.authorizationPolicies, byNamespace],
  [(s) => s.requestAuthentications, byNamespace],
];

/**
 * The scope of the config-list differences between two snapshots whose
 * mesh config, services and endpoints are the same objects (the caller
 * checks; anything else is 'all'). Both the old and the new version of a
 * changed object count: narrowing exportTo affects those who lose it.
 */
export function configChangeScope(previous: MeshSnapshot, next: MeshSnapshot): ChangeScope {
  const root = next.mesh.rootNamespace;
  const namespaces = new Set<string>();
  for (const [list, scopeOf] of LISTS) {
    const before = list(previous);
    const after = list(next);
    if (before === after) continue;
    const old = new Map(before.map((c) => [`${c.meta.namespace}/${c.meta.name}`, c]));
    const changed: IstioConfig<unknown>[] = [];
    for (const config of after) {
      const id = `${config.meta.namespace}/${config.meta.name}`;
      const was = old.get(id);
      old.delete(id);
      if (was !== config) changed.push(config, ...(was ? [was] : []));
    }
    changed.push(...old.values());
    for (const config of changed) {
      const scope = scopeOf(config, root);
      if (scope === 'all') return 'all';
      for (const ns of scope) namespaces.add(ns);
    }
  }
  return namespaces;
}
