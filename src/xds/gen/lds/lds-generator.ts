/**
 * LDS. Sidecars get virtualOutbound plus their outbound port listeners.
 * Gateways get none yet (they are driven by Gateway resources, not modelled).
 * Proxyless gRPC gets API listeners for the targets it dials; short names
 * resolve in its namespace, which is therefore part of its key.
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { ListenerType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { egressScopeOf, scopedServices } from '../common/mesh-services.js';
import { proxylessTargets } from '../proxyless/resolve-dialed-host.js';
import { buildProxylessApiListener } from './build-proxyless-api-listeners.js';
import { buildHttpListener, buildTcpListeners, httpPortNumbers } from './build-sidecar-outbound-listeners.js';
import { buildVirtualOutboundListener } from './build-virtual-outbound-listener.js';

export type LdsKey = { readonly kind: 'sidecar' | 'router'; readonly egressScope: string } | { readonly kind: 'proxyless'; readonly namespace: string };

function sidecarListeners(snapshot: MeshSnapshot, scope: string): Record<string, unknown>[] {
  const services = scopedServices(snapshot, scope);
  return [
    buildVirtualOutboundListener(snapshot.mesh),
    ...httpPortNumbers(services).map(buildHttpListener),
    ...buildTcpListeners(services),
  ];
}

export const ldsGenerator: ResourceGenerator<LdsKey> = {
  typeUrl: ListenerType,
  keyOf: (proxy, snapshot) => (proxy.type === 'proxyless' ? { kind: 'proxyless', namespace: proxy.namespace } : { kind: proxy.type, egressScope: egressScopeOf(proxy, snapshot) }),
  generate(snapshot: MeshSnapshot, key: LdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    if (key.kind === 'proxyless') {
      return proxylessTargets(snapshot, key.namespace, names).map((target) => ({
        name: target.name,
        resource: buildProxylessApiListener(target),
      }));
    }
    if (key.kind === 'router') return [];
    const out: GeneratedResource[] = [];
    for (const listener of sidecarListeners(snapshot, key.egressScope)) {
      const name = listener['name'] as string;
      if (!names || names.has(name)) out.push({ name, resource: listener });
    }
    return out;
  },
};
