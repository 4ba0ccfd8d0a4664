/**
 * ServiceEntryAddressesRequired (IST0134), Istio's serviceentry.Analyzer: a
 * ServiceEntry with a TCP port (protocol TCP, or none given) but no
 * addresses. A TCP listener matches on destination address and port only,
 * so without an address every such ServiceEntry on the port shares one
 * listener, and traffic for one may go to another.
 *
 * Addresses allocated into the ServiceEntry's status count as addresses
 * (status is only kept when read from a file; the cluster source drops it).
 * Istio also skips the check when DNS capture with address auto-allocation
 * is on in the mesh config; tsiod does neither.
 */
import { resourceOf, type Analyzer } from '../context.js';
import { asArray, asString, field, objectsOf, specOf } from '../json.js';
import { newMessage } from '../message.js';
import { ServiceEntryAddressesRequired } from '../messages.js';

export const serviceEntryAddressesAnalyzer: Analyzer = {
  name: 'serviceentry.Analyzer',
  description: 'Checks the validity of ServiceEntry',
  analyze(context, report) {
    for (const entry of context.of('ServiceEntry')) {
      const spec = specOf(entry);
      if (asArray(spec['addresses']).length > 0 || asArray(field(entry.content, 'status', 'addresses')).length > 0) continue;
      const tcpPort = objectsOf(spec['ports']).some(([port]) => {
        const protocol = asString(port['protocol']) ?? '';
        return protocol === '' || protocol.toUpperCase() === 'TCP';
      });
      if (tcpPort) report(newMessage(ServiceEntryAddressesRequired, resourceOf(entry)));
    }
  },
};
