/**
 * VirtualService and DestinationRule as the snapshot holds them: metadata,
 * and the spec with every host resolved to an FQDN relative to the object's
 * namespace, so generators compare hosts without knowing namespaces.
 */
import type { ConfigObject } from '../config/config-object.js';
import { resolveGatewayName } from './gateway-names.js';
import { resolveHostname } from './hostname.js';
import { specOf } from './kube-objects.js';
import type {
  ConfigMeta,
  DestinationRuleSpec,
  GatewaySpec,
  HTTPRoute,
  HTTPRouteDestination,
  IstioConfig,
  SidecarSpec,
  VirtualServiceSpec,
  WorkloadPolicySpec,
} from './types.js';

/** Every Istio networking version is read as v1, so metadata does not vary with the version a file was written in. */
const ISTIO_NETWORKING_V1 = 'networking.istio.io/v1';
const ISTIO_SECURITY_V1 = 'security.istio.io/v1';

export function configMeta(object: ConfigObject, apiVersion: string = object.apiVersion): ConfigMeta {
  const { name, namespace, labels, annotations, resourceVersion } = object.metadata;
  return {
    kind: object.kind,
    apiVersion,
    name,
    namespace,
    labels,
    annotations,
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    source: object.source,
  };
}

export function virtualServiceConfig(object: ConfigObject, domainSuffix: string): IstioConfig<VirtualServiceSpec> {
  const namespace = object.metadata.namespace;
  const resolve = (host: string): string => resolveHostname(host, namespace, domainSuffix);
  const spec = specOf<VirtualServiceSpec>(object);
  const resolveRoutes = (routes: readonly HTTPRouteDestination[] | undefined): HTTPRouteDestination[] | undefined =>
    routes?.map((route) => ({ ...route, destination: { ...route.destination, host: resolve(route.destination.host) } }));
  const resolveGateways = (gateways: readonly string[]): string[] => gateways.map((g) => resolveGatewayName(g, namespace));
  // Match blocks may bind to gateways too (match.gateways), resolved the same way.
  const resolveMatches = (matches: unknown): unknown =>
    Array.isArray(matches)
      ? matches.map((m: { readonly gateways?: readonly string[] }) => (Array.isArray(m?.gateways) ? { ...m, gateways: resolveGateways(m.gateways) } : m))
      : matches;
  const resolveOtherRoutes = (routes: readonly unknown[] | undefined): unknown[] | undefined =>
    routes?.map((route) => {
      const withRoutes = route as { readonly route?: readonly HTTPRouteDestination[]; readonly match?: unknown };
      return {
        ...withRoutes,
        ...(withRoutes.route ? { route: resolveRoutes(withRoutes.route) } : {}),
        ...(withRoutes.match ? { match: resolveMatches(withRoutes.match) } : {}),
      };
    });
  const http: HTTPRoute[] | undefined = spec.http?.map((route) => {
    const out: Record<string, unknown> = { ...route };
    if (route.route) out['route'] = resolveRoutes(route.route);
    if (route.match) out['match'] = resolveMatches(route.match);
    const mirror = route['mirror'] as { readonly host?: string } | undefined;
    if (mirror?.host) out['mirror'] = { ...mirror, host: resolve(mirror.host) };
    const mirrors = route['mirrors'] as readonly { readonly destination?: { readonly host?: string } }[] | undefined;
    if (Array.isArray(mirrors)) {
      out['mirrors'] = mirrors.map((m) => (m.destination?.host ? { ...m, destination: { ...m.destination, host: resolve(m.destination.host) } } : m));
    }
    return out as HTTPRoute;
  });
  const resolved: VirtualServiceSpec = {
    ...spec,
    // A delegate has no hosts.
    hosts: (spec.hosts ?? []).map(resolve),
    ...(spec.gateways ? { gateways: resolveGateways(spec.gateways) } : {}),
    ...(http ? { http } : {}),
    ...(spec.tcp ? { tcp: resolveOtherRoutes(spec.tcp) } : {}),
    ...(spec.tls ? { tls: resolveOtherRoutes(spec.tls) } : {}),
  };
  return { meta: configMeta(object, ISTIO_NETWORKING_V1), spec: resolved };
}

export function destinationRuleConfig(object: ConfigObject, domainSuffix: string): IstioConfig<DestinationRuleSpec> {
  const spec = specOf<DestinationRuleSpec>(object);
  return {
    meta: configMeta(object, ISTIO_NETWORKING_V1),
    spec: { ...spec, host: resolveHostname(spec.host, object.metadata.namespace, domainSuffix) },
  };
}

/** Gateway hosts ("namespace/host") and selectors are read as written; the gateway generators interpret them. */
export function gatewayConfig(object: ConfigObject): IstioConfig<GatewaySpec> {
  return { meta: configMeta(object, ISTIO_NETWORKING_V1), spec: specOf<GatewaySpec>(object) };
}

export function sidecarConfig(object: ConfigObject): IstioConfig<SidecarSpec> {
  return { meta: configMeta(object, ISTIO_NETWORKING_V1), spec: specOf<SidecarSpec>(object) };
}

export function workloadPolicyConfig(object: ConfigObject): IstioConfig<WorkloadPolicySpec> {
  return { meta: configMeta(object, ISTIO_SECURITY_V1), spec: specOf<WorkloadPolicySpec>(object) };
}

/** Istio orders configs oldest first, then by namespace and name; files have no creation time, so name order decides. */
export function compareConfigs(a: ConfigObject, b: ConfigObject): number {
  const at = a.metadata.creationTimestamp ?? '';
  const bt = b.metadata.creationTimestamp ?? '';
  if (at !== bt) return at < bt ? -1 : 1;
  if (a.metadata.namespace !== b.metadata.namespace) return a.metadata.namespace < b.metadata.namespace ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}
