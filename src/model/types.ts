/**
 * The immutable mesh model that xDS generators read. Everything here is plain,
 * frozen data: the config pipeline builds it, nothing downstream mutates it.
 */

import type { Protocol } from '../config/protocol.js';

/** Application protocol of a service port, from its name prefix or appProtocol (Istio's rules). */
export type { Protocol };

export interface ServicePort {
  /** Port name as written in the Service/ServiceEntry (may be empty for single-port Services). */
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Container port (number) or named port; absent means "same as port". */
  readonly targetPort?: number | string;
}

export type ServiceResolution = 'EDS' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE';

export interface MeshService {
  /** Fully-qualified host name, e.g. reviews.default.svc.cluster.local (ServiceEntry: its host). */
  readonly hostname: string;
  readonly name: string;
  readonly namespace: string;
  readonly ports: readonly ServicePort[];
  readonly clusterIP?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly selector?: Readonly<Record<string, string>>;
  readonly origin: 'kubernetes' | 'serviceentry';
  /** Kubernetes Services are EDS; ServiceEntries say their own. */
  readonly resolution: ServiceResolution;
  readonly meshExternal: boolean;
  /** Namespaces the service is visible in; ['*'] is everywhere, ['.'] own namespace. */
  readonly exportTo: readonly string[];
}

export interface Locality {
  readonly region?: string;
  readonly zone?: string;
  readonly subzone?: string;
}

/** One address:port that serves one port of one service. */
export interface WorkloadEndpoint {
  readonly address: string;
  /** The port the workload listens on for this service port. */
  readonly port: number;
  /** Which service port this endpoint serves (matched by ServicePort.name, or by number when unnamed). */
  readonly servicePortName: string;
  readonly servicePort: number;
  /** Workload labels (from the Pod, the EndpointSlice or the ServiceEntry endpoint): subsets select on these. */
  readonly labels: Readonly<Record<string, string>>;
  /** Pod readiness / EndpointSlice conditions.ready; not-ready endpoints are not load-balanced to. */
  readonly ready: boolean;
  readonly locality?: Locality;
  readonly serviceAccount?: string;
  /** security.istio.io/tlsMode label: 'istio' when the workload has a sidecar that accepts mTLS. */
  readonly tlsMode?: string;
  /** Load-balancing weight (ServiceEntry endpoints); default 1. */
  readonly weight?: number;
  /** The workload's own identity, for debugging and subset matching ("pod/ns/name"). */
  readonly workloadName?: string;
}

/** Identity of one config object, and where it came from (for error messages). */
export interface ConfigMeta {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
  /** "file.yaml#2" for the directory source, "kubernetes" for the cluster source. */
  readonly source?: string;
}

/** An Istio resource as stored in the snapshot: its metadata and its (validated) spec. */
export interface IstioConfig<Spec> {
  readonly meta: ConfigMeta;
  readonly spec: Spec;
}

// --- Istio networking specs: the fields tsiod reads. Field names are Istio's camelCase. ---

export interface PortSelector { readonly number?: number }

export interface Destination {
  readonly host: string;
  readonly subset?: string;
  readonly port?: PortSelector;
}

export interface HTTPRouteDestination {
  readonly destination: Destination;
  readonly weight?: number;
}

export interface StringMatch {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

export interface HTTPMatchRequest {
  readonly name?: string;
  readonly uri?: StringMatch;
  readonly method?: StringMatch;
  readonly authority?: StringMatch;
  readonly headers?: Readonly<Record<string, StringMatch>>;
  readonly queryParams?: Readonly<Record<string, StringMatch>>;
  readonly port?: number;
  readonly sourceLabels?: Readonly<Record<string, string>>;
  readonly gateways?: readonly string[];
}

export interface HTTPRoute {
  readonly name?: string;
  readonly match?: readonly HTTPMatchRequest[];
  readonly route?: readonly HTTPRouteDestination[];
  readonly timeout?: string;
  /** Later issues read the rest (redirect, rewrite, retries, fault, mirror, corsPolicy, headers). */
  readonly [field: string]: unknown;
}

export interface VirtualServiceSpec {
  readonly hosts: readonly string[];
  readonly gateways?: readonly string[];
  readonly http?: readonly HTTPRoute[];
  readonly tcp?: readonly unknown[];
  readonly tls?: readonly unknown[];
  readonly exportTo?: readonly string[];
}

export interface Subset {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly trafficPolicy?: unknown;
}

export interface DestinationRuleSpec {
  readonly host: string;
  readonly subsets?: readonly Subset[];
  readonly trafficPolicy?: unknown;
  readonly exportTo?: readonly string[];
}

export interface MeshConfig {
  readonly trustDomain: string;
  /** Cluster DNS suffix, "cluster.local". */
  readonly domainSuffix: string;
  readonly rootNamespace: string;
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

export const DEFAULT_MESH_CONFIG: MeshConfig = Object.freeze({
  trustDomain: 'cluster.local',
  domainSuffix: 'cluster.local',
  rootNamespace: 'istio-system',
  outboundTrafficPolicy: 'ALLOW_ANY',
});

/**
 * Everything generators may read, for one version of the mesh. Immutable;
 * a new snapshot reuses unchanged parts of the previous one by reference.
 */
export interface MeshSnapshot {
  /** Monotonic id of this snapshot within the process ("1", "2", ...). */
  readonly id: number;
  readonly mesh: MeshConfig;
  /** Services by FQDN host name, sorted by host name when iterated. */
  readonly services: ReadonlyMap<string, MeshService>;
  /** Endpoints by service FQDN host name (all ports of the service). */
  readonly endpoints: ReadonlyMap<string, readonly WorkloadEndpoint[]>;
  /** VirtualServices, hosts already resolved to FQDNs relative to their namespace; sorted by creation order then name. */
  readonly virtualServices: readonly IstioConfig<VirtualServiceSpec>[];
  /** DestinationRules, host resolved to FQDN. */
  readonly destinationRules: readonly IstioConfig<DestinationRuleSpec>[];
}
