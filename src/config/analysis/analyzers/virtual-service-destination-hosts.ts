/**
 * The hosts each VirtualService routes and mirrors to (Istio's
 * virtualservice.DestinationHostAnalyzer):
 * - ReferencedResourceNotFound (IST0101) "host" / "mirror host": no
 *   Kubernetes Service or ServiceEntry host visible from the VirtualService's
 *   namespace has that name;
 * - ReferencedResourceNotFound (IST0101) "host:port": the destination names
 *   a port the service does not expose;
 * - VirtualServiceDestinationPortSelectorRequired (IST0112): the service
 *   exposes several ports and the destination names none.
 */
import { resourceOf, type Analyzer } from '../context.js';
import { mirrorDestinations, routeDestinations } from '../destinations.js';
import { asNumber, asString, field, specOf, stringsOf } from '../json.js';
import { newMessage } from '../message.js';
import { ReferencedResourceNotFound, VirtualServiceDestinationPortSelectorRequired } from '../messages.js';

export const virtualServiceDestinationHostsAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationHostAnalyzer',
  description: 'Checks the destination hosts associated with each virtual service',
  analyze(context, report) {
    const index = context.serviceIndex();
    for (const vs of context.of('VirtualService')) {
      const exportTo = stringsOf(specOf(vs)['exportTo']);
      const destinations = [...routeDestinations(vs).map((d) => ({ ...d, mirror: false })), ...mirrorDestinations(vs).map((d) => ({ ...d, mirror: true }))];
      for (const { destination, mirror } of destinations) {
        const host = asString(destination['host']) ?? '';
        const service = index.lookup(vs.metadata.namespace, exportTo, host, context.mesh.domainSuffix);
        if (!service) {
          report(newMessage(ReferencedResourceNotFound, resourceOf(vs), mirror ? 'mirror host' : 'host', host));
          continue;
        }
        const port = asNumber(field(destination, 'port', 'number'));
        if (port === undefined) {
          if (service.ports.length > 1) {
            report(newMessage(VirtualServiceDestinationPortSelectorRequired, resourceOf(vs), host, service.ports.map((p) => p.number)));
          }
          continue;
        }
        if (!service.ports.some((p) => p.number === port)) report(newMessage(ReferencedResourceNotFound, resourceOf(vs), 'host:port', `${host}:${port}`));
      }
    }
  },
};
