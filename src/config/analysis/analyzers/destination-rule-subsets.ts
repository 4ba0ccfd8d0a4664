/**
 * What a DestinationRule applies to (Istio's destinationrule.SubsetSelectPodAnalyzer):
 * - UnknownDestinationRuleHost (IST0174): no Kubernetes Service or
 *   ServiceEntry host visible from the rule's namespace has the rule's host
 *   (a wildcard host must cover at least one);
 * - DestinationRuleSubsetNotSelectPods (IST0173): a subset whose labels
 *   select none of the service's workloads, so routing to it finds no
 *   endpoint (503, "no healthy upstream").
 *
 * A service's workloads are the Pods and WorkloadEntries its selector picks
 * in its namespace (a ServiceEntry's: its workloadSelector's, plus its
 * inline endpoints). Istio matches subset labels against every Pod in the
 * mesh; tsiod only against the service's own workloads, which catches a
 * subset that selects some other service's Pods. Services without a
 * selector and ServiceEntries with neither selector nor endpoints are not
 * checked (their endpoints are not workloads tsiod can see), nor subsets
 * selecting on topology labels, which come from the node.
 */
import { resourceOf, workloadLabels, type AnalysisContext, type Analyzer } from '../context.js';
import type { IndexedService } from '../hosts.js';
import { asString, field, objectsOf, specOf, stringMap, stringsOf } from '../json.js';
import { newMessage } from '../message.js';
import { DestinationRuleSubsetNotSelectPods, UnknownDestinationRuleHost } from '../messages.js';
import { selects } from '../selectors.js';

const NODE_LABELS = new Set([
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone',
  'topology.istio.io/cluster', 'topology.istio.io/network', 'kubernetes.io/hostname',
]);

export const destinationRuleSubsetsAnalyzer: Analyzer = {
  name: 'destinationrule.SubsetSelectPodAnalyzer',
  description: 'Checks if pods are selected by subsets in destination rules.',
  analyze(context, report) {
    const index = context.serviceIndex();
    for (const rule of context.of('DestinationRule')) {
      const spec = specOf(rule);
      const host = asString(spec['host']) ?? '';
      const namespace = rule.metadata.namespace;
      const service = index.lookup(namespace, stringsOf(spec['exportTo']), host, context.mesh.domainSuffix);
      if (!service) {
        if (!(host.startsWith('*') && index.coversAny(namespace, host))) report(newMessage(UnknownDestinationRuleHost, resourceOf(rule), host));
        continue;
      }
      const subsets = objectsOf(spec['subsets']);
      if (subsets.length === 0) continue;
      const workloads = serviceWorkloads(context, service);
      if (!workloads) continue;
      for (const [subset] of subsets) {
        const labels = stringMap(subset['labels']);
        if (Object.keys(labels).some((key) => NODE_LABELS.has(key))) continue;
        if (!workloads.some((workload) => selects(labels, workload))) {
          report(newMessage(DestinationRuleSubsetNotSelectPods, resourceOf(rule), asString(subset['name']) ?? ''));
        }
      }
    }
  },
};

/** The labels of each workload behind the service, or undefined when tsiod cannot know its workloads. */
function serviceWorkloads(context: AnalysisContext, service: IndexedService): Readonly<Record<string, string>>[] | undefined {
  const object = service.object;
  const spec = specOf(object);
  const namespace = object.metadata.namespace;
  const selector = stringMap(object.kind === 'Service' ? spec['selector'] : field(spec, 'workloadSelector', 'labels'));
  const inline = object.kind === 'ServiceEntry' ? objectsOf(spec['endpoints']).map(([endpoint]) => stringMap(endpoint['labels'])) : [];
  if (Object.keys(selector).length === 0) return inline.length > 0 ? inline : undefined;
  return [...inline, ...['Pod', 'WorkloadEntry'].flatMap((kind) => context.select(kind, selector, namespace).map(workloadLabels))];
}
