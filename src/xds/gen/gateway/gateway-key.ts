/**
 * What a gateway proxy's listeners and routes depend on: which Gateways
 * select it, its namespace (VirtualService visibility), and how its
 * Service translates Gateway server ports to the ports the pod listens on.
 */
import { labelsMatch } from '../../../model/endpoint-index.js';
import type { ProxyNode } from '../../../model/proxy.js';
import type { MeshService, MeshSnapshot } from '../../../model/types.js';

export type GatewayKey = {
  readonly kind: 'router';
  readonly namespace: string;
  /** "namespace/name" of every Gateway selecting the proxy, sorted; the generator merges them in snapshot order. */
  readonly gateways: readonly string[];
  /** "servicePort:targetPort" for each service port that the pod listens on under another number, by service port. */
  readonly portTranslation: readonly string[];
};

/** Istio's opt-out (model.DisableGatewayPortTranslationLabel): this Service's ports are not translated. */
export const DISABLE_PORT_TRANSLATION_LABEL = 'experimental.istio.io/disable-gateway-port-translation';

export function gatewayKeyOf(proxy: ProxyNode, snapshot: MeshSnapshot): GatewayKey {
  const gateways = snapshot.indexes.gatewaysFor(proxy.labels).map((g) => `${g.meta.namespace}/${g.meta.name}`);
  return {
    kind: 'router',
    namespace: proxy.namespace,
    gateways: [...new Set(gateways)].sort(),
    portTranslation: portTranslationOf(proxy, snapshot),
  };
}

/**
 * Istio's resolvePorts for label-selected Gateways: a server port that is
 * a port of a Service selecting the gateway pod binds that port's
 * targetPort (the first such Service wins); any other binds as written.
 * The Services are the proxy's ServiceTargets: Kubernetes Services in its
 * namespace whose selector matches its labels. A named targetPort is
 * resolved from the Service's endpoint for the pod's address; without one
 * the port is left untranslated.
 */
function portTranslationOf(proxy: ProxyNode, snapshot: MeshSnapshot): string[] {
  const translation = new Map<number, number>();
  for (const service of gatewayServices(proxy, snapshot)) {
    for (const port of service.ports) {
      if (translation.has(port.port)) continue;
      const target = targetPortOf(service, port.port, port.targetPort, proxy, snapshot);
      if (target !== undefined) translation.set(port.port, target);
    }
  }
  return [...translation]
    .filter(([port, target]) => port !== target)
    .sort(([a], [b]) => a - b)
    .map(([port, target]) => `${port}:${target}`);
}

function gatewayServices(proxy: ProxyNode, snapshot: MeshSnapshot): MeshService[] {
  return (snapshot.indexes.servicesByNamespace.get(proxy.namespace) ?? []).filter(
    (s) =>
      s.origin === 'kubernetes' &&
      s.selector !== undefined &&
      Object.keys(s.selector).length > 0 &&
      labelsMatch(s.selector, proxy.labels) &&
      s.labels[DISABLE_PORT_TRANSLATION_LABEL] === undefined,
  );
}

function targetPortOf(
  service: MeshService,
  port: number,
  targetPort: number | string | undefined,
  proxy: ProxyNode,
  snapshot: MeshSnapshot,
): number | undefined {
  if (targetPort === undefined) return port;
  if (typeof targetPort === 'number') return targetPort;
  const numeric = Number(targetPort);
  if (Number.isInteger(numeric) && numeric > 0) return numeric;
  const own = (snapshot.endpoints.get(service.hostname) ?? []).find((e) => e.servicePort === port && proxy.ipAddresses.includes(e.address));
  return own?.port;
}

/** The port a server port binds, per the key's translation. */
export function resolvedPort(key: GatewayKey, serverPort: number): number {
  const prefix = `${serverPort}:`;
  const entry = key.portTranslation.find((t) => t.startsWith(prefix));
  return entry ? Number(entry.slice(prefix.length)) : serverPort;
}
