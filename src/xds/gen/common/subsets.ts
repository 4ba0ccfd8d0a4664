/** The DestinationRule subsets that apply to a host, de-duplicated by name (the first definition wins). */
import type { MeshSnapshot, Subset } from '../../../model/types.js';
import { findDestinationRule } from './find-destination-rule.js';

export function subsetsFor(snapshot: MeshSnapshot, proxyNamespace: string, hostname: string): Subset[] {
  const rule = findDestinationRule(snapshot, proxyNamespace, hostname);
  const seen = new Set<string>();
  const out: Subset[] = [];
  for (const subset of rule?.spec.subsets ?? []) {
    if (subset.name === '' || seen.has(subset.name)) continue;
    seen.add(subset.name);
    out.push(subset);
  }
  return out;
}
