/** xDS resource type URLs that tsiod serves, and the order a push sends them in. */
export const TYPE_PREFIX = 'type.googleapis.com/';

export const ClusterType = `${TYPE_PREFIX}envoy.config.cluster.v3.Cluster` as const;
export const EndpointType = `${TYPE_PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment` as const;
export const ListenerType = `${TYPE_PREFIX}envoy.config.listener.v3.Listener` as const;
export const RouteType = `${TYPE_PREFIX}envoy.config.route.v3.RouteConfiguration` as const;
export const SecretType = `${TYPE_PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret` as const;

export type XdsTypeUrl =
  | typeof ClusterType
  | typeof EndpointType
  | typeof ListenerType
  | typeof RouteType
  | typeof SecretType;

/**
 * Make-before-break: a cluster exists before its endpoints, endpoints before
 * the listeners and routes that point at them.
 */
export const PUSH_ORDER: readonly XdsTypeUrl[] = [ClusterType, EndpointType, ListenerType, RouteType, SecretType];

/** LDS and CDS are "root" types: SotW responses carry the complete set, and an empty first request means wildcard. */
export function isRootType(typeUrl: string): boolean {
  return typeUrl === ClusterType || typeUrl === ListenerType;
}

export function isKnownType(typeUrl: string): typeUrl is XdsTypeUrl {
  return (PUSH_ORDER as readonly string[]).includes(typeUrl);
}

export function shortTypeName(typeUrl: string): string {
  switch (typeUrl) {
    case ClusterType: return 'cds';
    case EndpointType: return 'eds';
    case ListenerType: return 'lds';
    case RouteType: return 'rds';
    case SecretType: return 'sds';
    default: return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
  }
}
