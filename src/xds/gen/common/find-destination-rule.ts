/**
 * The DestinationRule that applies to a host. Istio prefers an exact host
 * over wildcards, then the most specific wildcard; among equals, the first
 * in snapshot order (creation time) wins.
 */
import type { DestinationRuleSpec, IstioConfig, MeshSnapshot } from '../../../model/types.js';
import { configHostMatches } from './host-match.js';

export function findDestinationRule(snapshot: MeshSnapshot, hostname: string): IstioConfig<DestinationRuleSpec> | undefined {
  let best: IstioConfig<DestinationRuleSpec> | undefined;
  for (const rule of snapshot.destinationRules) {
    const host = rule.spec.host;
    if (host === hostname) return rule;
    if (!configHostMatches(host, hostname)) continue;
    if (!best || host.length > best.spec.host.length) best = rule;
  }
  return best;
}
