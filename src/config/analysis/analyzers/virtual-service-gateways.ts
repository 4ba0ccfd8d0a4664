/**
 * The gateways each VirtualService binds to (Istio's virtualservice.GatewayAnalyzer):
 * - ReferencedResourceNotFound (IST0101): a gateway ("name" in the
 *   VirtualService's namespace, or "namespace/name") that does not exist;
 * - VirtualServiceHostNotFoundInGateway (IST0132): none of the
 *   VirtualService's hosts is among the hosts the gateway's servers accept
 *   for the VirtualService's namespace.
 * "mesh" is the sidecars, not a Gateway object. Istio also reports IST0132
 * for a gateway that does not exist; tsiod reports only that it does not exist.
 * Kubernetes Gateway API gateways are not read by tsiod, so a reference to
 * one reads as missing.
 */
import type { ConfigObject } from '../../config-object.js';
import { resourceOf, type Analyzer } from '../context.js';
import { hostsOverlap, shortOrFullName } from '../hosts.js';
import { objectsOf, specOf, stringsOf } from '../json.js';
import { newMessage } from '../message.js';
import { ReferencedResourceNotFound, VirtualServiceHostNotFoundInGateway } from '../messages.js';

export const virtualServiceGatewaysAnalyzer: Analyzer = {
  name: 'virtualservice.GatewayAnalyzer',
  description: 'Checks the gateways associated with each virtual service',
  analyze(context, report) {
    for (const vs of context.of('VirtualService')) {
      const spec = specOf(vs);
      const namespace = vs.metadata.namespace;
      const hosts = stringsOf(spec['hosts']);
      for (const reference of stringsOf(spec['gateways'])) {
        if (reference === 'mesh') continue;
        const name = shortOrFullName(reference, namespace);
        const gateway = context.get('Gateway', name.namespace, name.name);
        if (!gateway) {
          report(newMessage(ReferencedResourceNotFound, resourceOf(vs), 'gateway', reference));
          continue;
        }
        if (!acceptsAnyHost(gateway, hosts, namespace)) {
          report(newMessage(VirtualServiceHostNotFoundInGateway, resourceOf(vs), hosts, `${namespace}/${vs.metadata.name}`, `${name.namespace}/${name.name}`));
        }
      }
    }
  },
};

/** Whether the gateway's servers accept one of `hosts` from a VirtualService in `namespace`. */
function acceptsAnyHost(gateway: ConfigObject, hosts: readonly string[], namespace: string): boolean {
  const gatewayNamespace = gateway.metadata.namespace;
  const accepted: string[] = [];
  for (const [server] of objectsOf(specOf(gateway)['servers'])) {
    for (const host of stringsOf(server['hosts'])) {
      const slash = host.indexOf('/');
      if (slash < 0) {
        accepted.push(host);
        continue;
      }
      // "./host" is the gateway's own namespace; "*/host" any namespace; otherwise only that namespace's VirtualServices.
      const scope = host.slice(0, slash);
      const bare = host.slice(slash + 1);
      if (scope === '*' || (scope === '.' ? gatewayNamespace : scope) === namespace) accepted.push(bare);
    }
  }
  return accepted.some((gatewayHost) => hosts.some((host) => hostsOverlap(gatewayHost, host)));
}
