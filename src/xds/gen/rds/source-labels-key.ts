/**
 * Routes depend on the client's labels only through match.sourceLabels, so
 * a generator key needs only the client's labels that some match names:
 * clients that differ elsewhere still share their route configurations.
 * The key form is sorted "name=value" strings (generator keys are plain).
 */
import type { IstioConfig, MeshSnapshot, VirtualServiceSpec } from '../../../model/types.js';

const namesBySnapshotList = new WeakMap<readonly IstioConfig<VirtualServiceSpec>[], ReadonlySet<string>>();

/** Label names any http match's sourceLabels uses, delegates included; computed once per VirtualService list. */
function sourceLabelNames(virtualServices: readonly IstioConfig<VirtualServiceSpec>[]): ReadonlySet<string> {
  let names = namesBySnapshotList.get(virtualServices);
  if (!names) {
    const found = new Set<string>();
    for (const vs of virtualServices) {
      for (const route of vs.spec.http ?? []) for (const match of route.match ?? []) for (const name of Object.keys(match.sourceLabels ?? {})) found.add(name);
    }
    names = found;
    namesBySnapshotList.set(virtualServices, names);
  }
  return names;
}

export function sourceLabelsKey(snapshot: MeshSnapshot, labels: Readonly<Record<string, string>>): string[] {
  const names = sourceLabelNames(snapshot.virtualServices);
  return Object.keys(labels)
    .filter((name) => names.has(name))
    .sort()
    .map((name) => `${name}=${labels[name]}`);
}

/** The labels a key holds, for RouteContext.proxyLabels. */
export function labelsOfSourceLabelsKey(key: readonly string[]): Record<string, string> {
  return Object.fromEntries(key.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}
