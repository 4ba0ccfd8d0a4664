/**
 * Gateways against the workloads they select (Istio's gateway.IngressGatewayPortAnalyzer):
 * - ReferencedResourceNotFound (IST0101) "selector": the Gateway's selector
 *   matches no Pod, in any namespace;
 * - GatewayPortNotDefinedOnService (IST0162): a server port that no TCP port
 *   of the Services in front of those Pods exposes, as a port or a target
 *   port, so it cannot be reached through them.
 * A Service without a selector selects no Pods (Istio's analyzer takes an
 * empty selector as selecting every Pod).
 */
import { resourceOf, type Analyzer } from '../context.js';
import { asNumber, asString, field, objectsOf, specOf, stringMap } from '../json.js';
import { newMessage } from '../message.js';
import { GatewayPortNotDefinedOnService, ReferencedResourceNotFound } from '../messages.js';
import { selectorString, selects } from '../selectors.js';

export const gatewayPortsAnalyzer: Analyzer = {
  name: 'gateway.IngressGatewayPortAnalyzer',
  description: 'Checks a gateway\'s ports against the gateway\'s Kubernetes service ports',
  analyze(context, report) {
    for (const gateway of context.of('Gateway')) {
      const spec = specOf(gateway);
      const selector = stringMap(spec['selector']);
      const pods = context.select('Pod', selector);
      if (pods.length === 0) {
        report(newMessage(ReferencedResourceNotFound, resourceOf(gateway), 'selector', selectorString(selector)));
        continue;
      }
      const reachable = new Set<number>();
      for (const pod of pods) {
        for (const service of context.inNamespace('Service', pod.metadata.namespace)) {
          const serviceSpec = specOf(service);
          const serviceSelector = stringMap(serviceSpec['selector']);
          if (Object.keys(serviceSelector).length === 0 || !selects(serviceSelector, pod.metadata.labels)) continue;
          for (const [port] of objectsOf(serviceSpec['ports'])) {
            if ((asString(port['protocol']) ?? 'TCP') !== 'TCP') continue;
            const number = asNumber(port['port']);
            if (number !== undefined) reachable.add(number);
            const targetPort = port['targetPort'];
            const target = typeof targetPort === 'number' ? targetPort : typeof targetPort === 'string' && /^\d+$/.test(targetPort) ? Number(targetPort) : 0;
            if (target !== 0) reachable.add(target);
          }
        }
      }
      for (const [server] of objectsOf(spec['servers'])) {
        const number = asNumber(field(server, 'port', 'number'));
        if (number !== undefined && !reachable.has(number)) {
          report(newMessage(GatewayPortNotDefinedOnService, resourceOf(gateway), number, selectorString(selector)));
        }
      }
    }
  },
};
