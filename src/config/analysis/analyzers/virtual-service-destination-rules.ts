/**
 * The subsets each VirtualService routes and mirrors to (Istio's
 * virtualservice.DestinationRuleAnalyzer): ReferencedResourceNotFound
 * (IST0101) "host+subset in destinationrule" / "mirror+subset in
 * destinationrule" when no DestinationRule for the destination's host that
 * the VirtualService's namespace can see defines the subset.
 *
 * Hosts are compared fully qualified, each resolved in its own object's
 * namespace, and a wildcard DestinationRule host covers the hosts it
 * matches. Istio compares "namespace/name" pairs instead, so it misses a
 * subset defined by a DestinationRule for an external host in another
 * namespace; tsiod finds it.
 */
import { resourceOf, type Analyzer } from '../context.js';
import { mirrorDestinations, routeDestinations } from '../destinations.js';
import { hostsOverlap, toFqdn } from '../hosts.js';
import { asString, objectsOf, specOf, stringsOf } from '../json.js';
import { newMessage } from '../message.js';
import { ReferencedResourceNotFound } from '../messages.js';

interface RuleSubsets {
  /** Fully qualified, or a wildcard. */
  readonly host: string;
  readonly subsets: ReadonlySet<string>;
  /** Namespaces that see the rule; undefined for every namespace. */
  readonly visibleIn: ReadonlySet<string> | undefined;
}

export const virtualServiceDestinationRulesAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  description: 'Checks the destination rules associated with each virtual service',
  analyze(context, report) {
    const suffix = context.mesh.domainSuffix;
    const byHost = new Map<string, RuleSubsets[]>();
    const wildcards: RuleSubsets[] = [];
    for (const rule of context.of('DestinationRule')) {
      const spec = specOf(rule);
      const exportTo = stringsOf(spec['exportTo']);
      const entry: RuleSubsets = {
        host: toFqdn(asString(spec['host']) ?? '', rule.metadata.namespace, suffix),
        subsets: new Set(objectsOf(spec['subsets']).map(([subset]) => asString(subset['name']) ?? '')),
        visibleIn: exportTo.length === 0 || exportTo.includes('*') ? undefined : new Set(exportTo.map((scope) => (scope === '.' ? rule.metadata.namespace : scope))),
      };
      if (entry.host.startsWith('*')) wildcards.push(entry);
      else byHost.set(entry.host, [...(byHost.get(entry.host) ?? []), entry]);
    }
    const defines = (entry: RuleSubsets, subset: string, namespace: string): boolean => entry.subsets.has(subset) && (entry.visibleIn?.has(namespace) ?? true);
    for (const vs of context.of('VirtualService')) {
      const namespace = vs.metadata.namespace;
      const destinations = [...routeDestinations(vs).map((d) => ({ ...d, mirror: false })), ...mirrorDestinations(vs).map((d) => ({ ...d, mirror: true }))];
      for (const { destination, mirror } of destinations) {
        const subset = asString(destination['subset']) ?? '';
        if (subset === '') continue;
        const host = asString(destination['host']) ?? '';
        const fqdn = toFqdn(host, namespace, suffix);
        const defined =
          (byHost.get(fqdn) ?? []).some((entry) => defines(entry, subset, namespace)) ||
          wildcards.some((entry) => hostsOverlap(entry.host, fqdn) && defines(entry, subset, namespace));
        if (!defined) report(newMessage(ReferencedResourceNotFound, resourceOf(vs), mirror ? 'mirror+subset in destinationrule' : 'host+subset in destinationrule', `${host}+${subset}`));
      }
    }
  },
};
