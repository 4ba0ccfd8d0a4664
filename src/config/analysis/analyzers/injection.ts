/**
 * Sidecar injection (Istio's injection.Analyzer):
 * - NamespaceNotInjected (IST0102): a namespace with neither an
 *   istio-injection nor an istio.io/rev label (ambient namespaces and Istio's
 *   own are left alone);
 * - NamespaceMultipleInjectionLabels (IST0123): istio-injection=enabled
 *   together with istio.io/rev or istio.io/dataplane-mode (or, without
 *   istio-injection, both of those);
 * - PodMissingProxy (IST0103): a Pod in an istio-injection=enabled namespace
 *   without an istio-proxy container, unless it opts out
 *   (sidecar.istio.io/inject: "false") or uses the host's network.
 * Istio also honours enableNamespacesByDefault from the injector's
 * ConfigMap (NamespaceInjectionEnabledByDefault, IST0148); tsiod reads no
 * ConfigMaps and does not.
 */
import { resourceOf, type Analyzer } from '../context.js';
import { asString, objectsOf, specOf } from '../json.js';
import { newMessage } from '../message.js';
import { NamespaceMultipleInjectionLabels, NamespaceNotInjected, PodMissingProxy } from '../messages.js';

const INJECTION_LABEL = 'istio-injection';
const REVISION_LABEL = 'istio.io/rev';
const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
const SIDECAR_INJECT = 'sidecar.istio.io/inject';

export const injectionAnalyzer: Analyzer = {
  name: 'injection.Analyzer',
  description: 'Checks conditions related to Istio sidecar injection',
  analyze(context, report) {
    const injected = new Set<string>();
    for (const namespace of context.of('Namespace')) {
      const name = namespace.metadata.name;
      if (name === 'istio-system' || name === context.mesh.rootNamespace) continue;
      const labels = namespace.metadata.labels;
      const injection = labels[INJECTION_LABEL];
      const istioLabels: string[] = [];
      if (injection !== undefined) istioLabels.push(`${INJECTION_LABEL}=${injection}`);
      for (const label of [REVISION_LABEL, DATAPLANE_MODE_LABEL]) {
        if (labels[label] !== undefined && (injection === undefined || injection === 'enabled')) istioLabels.push(`${label}=${labels[label]}`);
      }
      if (istioLabels.length > 1) report(newMessage(NamespaceMultipleInjectionLabels, resourceOf(namespace), istioLabels));
      if (labels[DATAPLANE_MODE_LABEL] === 'ambient') continue;
      if ((injection ?? '') === '' && labels[REVISION_LABEL] === undefined) {
        report(newMessage(NamespaceNotInjected, resourceOf(namespace), name));
        continue;
      }
      if (injection === 'enabled') injected.add(name);
    }
    for (const pod of context.of('Pod')) {
      if (!injected.has(pod.metadata.namespace)) continue;
      const optIn = pod.metadata.labels[SIDECAR_INJECT] ?? pod.metadata.annotations[SIDECAR_INJECT] ?? '';
      if (optIn.toLowerCase() === 'false') continue;
      const spec = specOf(pod);
      if (spec['hostNetwork'] === true) continue;
      const containers = [...objectsOf(spec['containers']), ...objectsOf(spec['initContainers'])].map(([container]) => container);
      const proxy = containers.find((container) => asString(container['name']) === 'istio-proxy');
      if ((asString(proxy?.['image']) ?? '') === '') {
        report(newMessage(PodMissingProxy, resourceOf(pod), `${pod.metadata.namespace}/${pod.metadata.name}`));
      }
    }
  },
};
