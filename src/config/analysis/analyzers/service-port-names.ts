/**
 * Service ports whose protocol Istio cannot tell (Istio's service.PortNameAnalyzer):
 * - PortNameIsNotUnderNamingConvention (IST0118): neither appProtocol nor the
 *   name's prefix ("http", "grpc-web", "tcp", ... before the first "-") is a
 *   protocol Istio knows, and the port is not one Istio treats as TCP anyway
 *   (25, 53, 3306, 27017). Istio falls back to protocol sniffing; tsiod
 *   serves such a port as TCP.
 * - ExternalNameServiceTypeInvalidPortName (IST0150): the same on an
 *   ExternalName Service, or a port named exactly "tcp" there.
 * UDP ports, Istio's own Services (labelled "istio", or release=istio) and
 * gateway Services Istio manages are left alone. A port without targetPort is
 * shown with targetPort equal to its port, as the apiserver defaults it.
 */
import { parseProtocolName } from '../../protocol.js';
import { resourceOf, type Analyzer } from '../context.js';
import { asNumber, asString, objectsOf, specOf } from '../json.js';
import { newMessage } from '../message.js';
import { ExternalNameServiceTypeInvalidPortName, PortNameIsNotUnderNamingConvention } from '../messages.js';

const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);
const KUBERNETES_APP_PROTOCOLS = new Set(['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss']);
const MANAGED_GATEWAY_LABEL = 'gateway.istio.io/managed';
const MANAGED_GATEWAY_CONTROLLERS = new Set(['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller']);

export const servicePortNamesAnalyzer: Analyzer = {
  name: 'service.PortNameAnalyzer',
  description: 'Checks the port names associated with each service',
  analyze(context, report) {
    for (const service of context.of('Service')) {
      const labels = service.metadata.labels;
      if (labels['istio'] !== undefined || labels['release'] === 'istio') continue;
      if (MANAGED_GATEWAY_CONTROLLERS.has(labels[MANAGED_GATEWAY_LABEL] ?? '')) continue;
      const spec = specOf(service);
      const externalName = asString(spec['type']) === 'ExternalName';
      for (const [port] of objectsOf(spec['ports'])) {
        const name = asString(port['name']) ?? '';
        const number = asNumber(port['port']) ?? 0;
        if (asString(port['protocol'])?.toUpperCase() === 'UDP') continue;
        if (protocolKnown(name, asString(port['appProtocol']), number) && !(externalName && name === 'tcp')) continue;
        if (externalName) {
          report(newMessage(ExternalNameServiceTypeInvalidPortName, resourceOf(service)));
          continue;
        }
        const targetPort = port['targetPort'];
        const shown = typeof targetPort === 'number' || typeof targetPort === 'string' ? String(targetPort) : String(number);
        report(newMessage(PortNameIsNotUnderNamingConvention, resourceOf(service), name, number, shown));
      }
    }
  },
};

/** Istio's protocol selection for a Service port (pkg/config/kube ConvertProtocol) finds a protocol. */
function protocolKnown(portName: string, appProtocol: string | undefined, port: number): boolean {
  let name = portName;
  if (appProtocol !== undefined) {
    if (KUBERNETES_APP_PROTOCOLS.has(appProtocol)) return true;
    name = appProtocol;
  }
  if (name.toLowerCase().startsWith('grpc-web')) return true;
  const dash = name.indexOf('-');
  const prefix = dash >= 0 ? name.slice(0, dash) : name;
  return parseProtocolName(prefix) !== undefined || WELL_KNOWN_TCP_PORTS.has(port);
}
