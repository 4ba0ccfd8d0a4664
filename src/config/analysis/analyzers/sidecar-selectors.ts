/**
 * Which workloads each Sidecar resource applies to (Istio's sidecar.SelectorAnalyzer):
 * - ReferencedResourceNotFound (IST0101) "selector": a Sidecar whose
 *   workloadSelector matches no Pod in its namespace;
 * - ConflictingSidecarWorkloadSelectors (IST0110): a Pod that several
 *   Sidecars select (one message per Sidecar and Pod);
 * - MultipleSidecarsWithoutWorkloadSelectors (IST0111): more than one Sidecar
 *   without a workloadSelector in a namespace.
 * Which of the conflicting Sidecars applies is undefined in each case.
 */
import type { ConfigObject } from '../../config-object.js';
import { resourceOf, type Analyzer } from '../context.js';
import { compare } from '../hosts.js';
import { field, specOf, stringMap } from '../json.js';
import { newMessage } from '../message.js';
import { ConflictingSidecarWorkloadSelectors, MultipleSidecarsWithoutWorkloadSelectors, ReferencedResourceNotFound } from '../messages.js';
import { selectorString } from '../selectors.js';

export const sidecarSelectorsAnalyzer: Analyzer = {
  name: 'sidecar.SelectorAnalyzer',
  description: 'Validates that sidecars that define a workload selector match at least one pod, and that there aren\'t multiple sidecar resources that select overlapping pods',
  analyze(context, report) {
    const sidecarsByPod = new Map<ConfigObject, ConfigObject[]>();
    const namespaceWide = new Map<string, ConfigObject[]>();
    for (const sidecar of context.of('Sidecar')) {
      const namespace = sidecar.metadata.namespace;
      const selector = stringMap(field(specOf(sidecar), 'workloadSelector', 'labels'));
      if (Object.keys(selector).length === 0) {
        namespaceWide.set(namespace, [...(namespaceWide.get(namespace) ?? []), sidecar]);
        continue;
      }
      const pods = context.select('Pod', selector, namespace);
      if (pods.length === 0) report(newMessage(ReferencedResourceNotFound, resourceOf(sidecar), 'selector', selectorString(selector)));
      for (const pod of pods) sidecarsByPod.set(pod, [...(sidecarsByPod.get(pod) ?? []), sidecar]);
    }
    for (const [pod, sidecars] of sidecarsByPod) {
      if (sidecars.length < 2) continue;
      const names = sidecars.map((s) => s.metadata.name).sort(compare);
      for (const sidecar of sidecars) {
        report(newMessage(ConflictingSidecarWorkloadSelectors, resourceOf(sidecar), names, pod.metadata.namespace, pod.metadata.name));
      }
    }
    for (const [namespace, sidecars] of namespaceWide) {
      if (sidecars.length < 2) continue;
      const names = sidecars.map((s) => s.metadata.name).sort(compare);
      for (const sidecar of sidecars) report(newMessage(MultipleSidecarsWithoutWorkloadSelectors, resourceOf(sidecar), names, namespace));
    }
  },
};
