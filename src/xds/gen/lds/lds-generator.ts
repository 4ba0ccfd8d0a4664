/**
 * LDS. Each proxy kind has its own builder: sidecars (capture listeners and
 * outbound port listeners), gateways (listeners per Gateway server port) and
 * proxyless gRPC (API listeners for the targets it dials; short names
 * resolve in its namespace, which is therefore part of its key; and, for
 * an xDS-enabled gRPC server, its inbound listeners, named
 * "xds.istio.io/grpc/lds/inbound/<ip>:<port>", whose ports, TLS modes and
 * authorization policies are part of its key too).
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { ListenerType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { buildGatewayListeners, gatewayLdsKey, type GatewayLdsKey } from '../gateway/gateway-lds.js';
import { isInboundListenerName } from '../proxyless/inbound-listener-name.js';
import { proxylessInboundOf, type ProxylessInbound } from '../proxyless/proxyless-inbound.js';
import { proxylessTargets } from '../proxyless/resolve-dialed-host.js';
import { buildProxylessApiListener } from './build-proxyless-api-listeners.js';
import { buildProxylessInboundListeners } from './build-proxyless-inbound-listeners.js';
import { buildSidecarListeners, sidecarLdsKey, type SidecarLdsKey } from './sidecar-lds.js';

export type LdsKey = SidecarLdsKey | GatewayLdsKey | ({ readonly kind: 'proxyless'; readonly namespace: string } & ProxylessInbound);

/** Outbound API listeners for dialed names, then (asked for by name only, as in Istio) inbound listeners. */
function proxylessListeners(snapshot: MeshSnapshot, namespace: string, inbound: ProxylessInbound, names: ReadonlySet<string> | undefined): GeneratedResource[] {
  const inboundNames = names ? [...names].filter(isInboundListenerName) : [];
  const dialed = names && inboundNames.length > 0 ? new Set([...names].filter((n) => !isInboundListenerName(n))) : names;
  const out: GeneratedResource[] = proxylessTargets(snapshot, namespace, dialed).map((target) => ({ name: target.name, resource: buildProxylessApiListener(target) }));
  for (const listener of buildProxylessInboundListeners(snapshot, inbound, inboundNames)) out.push({ name: listener['name'] as string, resource: listener });
  return out;
}

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
        return { kind: 'proxyless', namespace: proxy.namespace, ...proxylessInboundOf(proxy, snapshot) };
      case 'router':
        return gatewayLdsKey(proxy, snapshot);
      case 'sidecar':
        return sidecarLdsKey(proxy, snapshot);
    }
  },
  generate(snapshot: MeshSnapshot, key: LdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    switch (key.kind) {
      case 'proxyless':
        return proxylessListeners(snapshot, key.namespace, key, names);
      case 'router':
        return named(buildGatewayListeners(snapshot, key), names);
      case 'sidecar':
        return named(buildSidecarListeners(snapshot, key), names);
    }
  },
};
