/**
 * LDS. Each proxy kind has its own builder: sidecars (capture listeners and
 * outbound port listeners), gateways (listeners per Gateway server port) and
 * proxyless gRPC (API listeners for the targets it dials; short names
 * resolve in its namespace, which is therefore part of its key).
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { ListenerType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { buildGatewayListeners, gatewayLdsKey, type GatewayLdsKey } from '../gateway/gateway-lds.js';
import { proxylessTargets } from '../proxyless/resolve-dialed-host.js';
import { buildProxylessApiListener } from './build-proxyless-api-listeners.js';
import { buildSidecarListeners, sidecarLdsKey, type SidecarLdsKey } from './sidecar-lds.js';

export type LdsKey = SidecarLdsKey | GatewayLdsKey | { readonly kind: 'proxyless'; readonly namespace: string };

function named(listeners: readonly Record<string, unknown>[], names: ReadonlySet<string> | undefined): GeneratedResource[] {
  const out: GeneratedResource[] = [];
  for (const listener of listeners) {
    const name = listener['name'] as string;
    if (!names || names.has(name)) out.push({ name, resource: listener });
  }
  return out;
}

export const ldsGenerator: ResourceGenerator<LdsKey> = {
  typeUrl: ListenerType,
  keyOf: (proxy, snapshot) => {
    switch (proxy.type) {
      case 'proxyless':
        return { kind: 'proxyless', namespace: proxy.namespace };
      case 'router':
        return gatewayLdsKey(proxy, snapshot);
      case 'sidecar':
        return sidecarLdsKey(proxy, snapshot);
    }
  },
  generate(snapshot: MeshSnapshot, key: LdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    switch (key.kind) {
      case 'proxyless':
        return proxylessTargets(snapshot, key.namespace, names).map((target) => ({
          name: target.name,
          resource: buildProxylessApiListener(target),
        }));
      case 'router':
        return named(buildGatewayListeners(snapshot, key), names);
      case 'sidecar':
        return named(buildSidecarListeners(snapshot, key), names);
    }
  },
};
