/**
 * The immutable mesh model that xDS generators read. Everything here is plain,
 * frozen data: the config pipeline builds it, nothing downstream mutates it.
 */

import type { Protocol } from '../config/protocol.js';
import type { ExtensionProvider } from './extension-providers.js';

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

/** Header changes of a route or of one weighted destination (Istio's Headers). */
export interface HeaderOperations {
  readonly set?: Readonly<Record<string, string>>;
  readonly add?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

export interface Headers {
  readonly request?: HeaderOperations;
  readonly response?: HeaderOperations;
}

export interface HTTPRouteDestination {
  readonly destination: Destination;
  readonly weight?: number;
  readonly headers?: Headers;
}

export interface StringMatch {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

export interface HTTPMatchRequest {
  readonly name?: string;
  readonly uri?: StringMatch;
  readonly scheme?: StringMatch;
  readonly method?: StringMatch;
  readonly authority?: StringMatch;
  readonly headers?: Readonly<Record<string, StringMatch>>;
  readonly withoutHeaders?: Readonly<Record<string, StringMatch>>;
  readonly queryParams?: Readonly<Record<string, StringMatch>>;
  readonly ignoreUriCase?: boolean;
  readonly port?: number;
  readonly sourceLabels?: Readonly<Record<string, string>>;
  readonly sourceNamespace?: string;
  readonly gateways?: readonly string[];
  readonly statPrefix?: string;
}

/** Istio's Percent: a double in [0, 100]. */
export interface Percent { readonly value?: number }

export interface HTTPRedirect {
  readonly uri?: string;
  readonly authority?: string;
  readonly port?: number;
  readonly derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
  readonly scheme?: string;
  readonly redirectCode?: number;
}

/** A body is a string, or bytes as base64 (protobuf JSON's form). */
export interface HTTPDirectResponse {
  readonly status: number;
  readonly body?: { readonly string?: string; readonly bytes?: string };
}

export interface HTTPRewrite {
  readonly uri?: string;
  readonly authority?: string;
  readonly uriRegexRewrite?: { readonly match?: string; readonly rewrite?: string };
}

/** Durations are Go duration strings ("2s"), as written. */
export interface HTTPRetry {
  readonly attempts?: number;
  readonly perTryTimeout?: string;
  readonly retryOn?: string;
  readonly retryRemoteLocalities?: WrappedValue<boolean>;
  readonly retryIgnorePreviousHosts?: WrappedValue<boolean>;
  readonly backoff?: string;
}

export interface HTTPFaultInjection {
  readonly delay?: {
    readonly fixedDelay?: string;
    readonly exponentialDelay?: string;
    readonly percentage?: Percent;
    /** Deprecated integer percent, read when percentage is absent. */
    readonly percent?: number;
  };
  readonly abort?: {
    readonly httpStatus?: number;
    /** A gRPC status name ("UNAVAILABLE"). */
    readonly grpcStatus?: string;
    readonly http2Error?: string;
    readonly percentage?: Percent;
  };
}

export interface HTTPMirrorPolicy {
  readonly destination?: Destination;
  readonly percentage?: Percent;
}

export interface CorsPolicy {
  readonly allowOrigins?: readonly StringMatch[];
  /** Deprecated exact origins, read when allowOrigins is absent. */
  readonly allowOrigin?: readonly string[];
  readonly allowMethods?: readonly string[];
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAge?: string;
  readonly allowCredentials?: WrappedValue<boolean>;
  readonly unmatchedPreflights?: 'UNSPECIFIED' | 'FORWARD' | 'IGNORE';
}

/** The VirtualService (namespace defaults to the root's) whose http routes replace this route's destinations. */
export interface Delegate {
  readonly name: string;
  readonly namespace?: string;
}

export interface HTTPRoute {
  readonly name?: string;
  readonly match?: readonly HTTPMatchRequest[];
  readonly route?: readonly HTTPRouteDestination[];
  readonly redirect?: HTTPRedirect;
  readonly directResponse?: HTTPDirectResponse;
  readonly delegate?: Delegate;
  readonly rewrite?: HTTPRewrite;
  readonly timeout?: string;
  readonly retries?: HTTPRetry;
  readonly fault?: HTTPFaultInjection;
  readonly mirror?: Destination;
  readonly mirrorPercentage?: Percent;
  /** Deprecated integer percent, read when mirrorPercentage is absent. */
  readonly mirrorPercent?: WrappedValue<number>;
  readonly mirrors?: readonly HTTPMirrorPolicy[];
  readonly corsPolicy?: CorsPolicy;
  readonly headers?: Headers;
}

/** A VirtualService without hosts is a delegate: only a root's http routes use it. */
export interface VirtualServiceSpec {
  readonly hosts: readonly string[];
  readonly gateways?: readonly string[];
  readonly http?: readonly HTTPRoute[];
  readonly tcp?: readonly unknown[];
  readonly tls?: readonly unknown[];
  readonly exportTo?: readonly string[];
}

/** A protobuf wrapper as Istio's YAML carries it: a bare value, or {value: ...} (both validate). */
export type WrappedValue<T> = T | { readonly value?: T };

/** DestinationRule connectionPool. Durations are Go duration strings ("10s"), as written. */
export interface ConnectionPoolSettings {
  readonly tcp?: {
    readonly maxConnections?: number;
    readonly connectTimeout?: string;
    readonly tcpKeepalive?: { readonly probes?: number; readonly time?: string; readonly interval?: string };
    readonly maxConnectionDuration?: string;
    readonly idleTimeout?: string;
  };
  readonly http?: {
    readonly http1MaxPendingRequests?: number;
    readonly http2MaxRequests?: number;
    readonly maxRequestsPerConnection?: number;
    readonly maxRetries?: number;
    readonly idleTimeout?: string;
    /** DEFAULT, DO_NOT_UPGRADE or UPGRADE (validated). */
    readonly h2UpgradePolicy?: string;
    readonly useClientProtocol?: boolean;
    readonly maxConcurrentStreams?: number;
    readonly http2KeepAlive?: { readonly interval?: string; readonly timeout?: string };
  };
}

export interface OutlierDetection {
  /** Deprecated by Istio; read by nothing since consecutive5xxErrors replaced it. */
  readonly consecutiveErrors?: number;
  readonly consecutive5xxErrors?: WrappedValue<number>;
  readonly consecutiveGatewayErrors?: WrappedValue<number>;
  readonly consecutiveLocalOriginFailures?: WrappedValue<number>;
  readonly splitExternalLocalOriginErrors?: boolean;
  readonly interval?: string;
  readonly baseEjectionTime?: string;
  readonly maxEjectionPercent?: number;
  readonly minHealthPercent?: number;
}

export interface ConsistentHashLB {
  readonly httpHeaderName?: string;
  readonly httpCookie?: { readonly name?: string; readonly path?: string; readonly ttl?: string };
  readonly useSourceIp?: boolean;
  readonly httpQueryParameterName?: string;
  readonly ringHash?: { readonly minimumRingSize?: number };
  readonly maglev?: { readonly tableSize?: number };
  /** Deprecated in favour of ringHash.minimumRingSize. */
  readonly minimumRingSize?: number;
}

export interface LocalityLbSetting {
  readonly enabled?: WrappedValue<boolean>;
  /** from: a "region/zone/subzone" pattern ("*" a wildcard) of the client; to: endpoint locality pattern → weight percent. */
  readonly distribute?: readonly { readonly from?: string; readonly to?: Readonly<Record<string, number>> }[];
  /** Regions to fail over to from a client's region. */
  readonly failover?: readonly { readonly from?: string; readonly to?: string }[];
  /** Label names (optionally "label=value") ordering endpoints by how many of them match the client's. */
  readonly failoverPriority?: readonly string[];
}

export interface LoadBalancerSettings {
  /** UNSPECIFIED, LEAST_CONN (deprecated), RANDOM, PASSTHROUGH, ROUND_ROBIN or LEAST_REQUEST (validated). */
  readonly simple?: string;
  readonly consistentHash?: ConsistentHashLB;
  readonly localityLbSetting?: LocalityLbSetting;
  /** Deprecated slow start window ("60s"). */
  readonly warmupDurationSecs?: string;
  readonly warmup?: { readonly duration?: string; readonly minimumPercent?: WrappedValue<number>; readonly aggression?: WrappedValue<number> };
}

export interface ClientTLSSettings {
  /** DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL (validated). */
  readonly mode?: string;
  readonly clientCertificate?: string;
  readonly privateKey?: string;
  readonly caCertificates?: string;
  readonly caCrl?: string;
  readonly credentialName?: string;
  readonly subjectAltNames?: readonly string[];
  readonly sni?: string;
  readonly insecureSkipVerify?: WrappedValue<boolean>;
}

/** The four sub-policies a port-level setting (and a subset's policy) replaces whole. */
export interface PortTrafficPolicy {
  readonly port?: PortSelector;
  readonly connectionPool?: ConnectionPoolSettings;
  readonly outlierDetection?: OutlierDetection;
  readonly loadBalancer?: LoadBalancerSettings;
  readonly tls?: ClientTLSSettings;
}

export interface TrafficPolicy {
  readonly connectionPool?: ConnectionPoolSettings;
  readonly outlierDetection?: OutlierDetection;
  readonly loadBalancer?: LoadBalancerSettings;
  readonly tls?: ClientTLSSettings;
  readonly portLevelSettings?: readonly PortTrafficPolicy[];
  readonly retryBudget?: RetryBudget;
  /** Not translated yet; kept so merges carry them as Istio's do. */
  readonly tunnel?: unknown;
  readonly proxyProtocol?: unknown;
}

/** How many retries may run at once, relative to active requests. */
export interface RetryBudget {
  readonly percent?: WrappedValue<number>;
  readonly minRetryConcurrency?: number;
  readonly budgetInterval?: string;
}

export interface Subset {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
  readonly host: string;
  readonly workloadSelector?: WorkloadSelector;
  readonly subsets?: readonly Subset[];
  readonly trafficPolicy?: TrafficPolicy;
  readonly exportTo?: readonly string[];
}

export interface MeshConfig {
  readonly trustDomain: string;
  /** Cluster DNS suffix, "cluster.local". */
  readonly domainSuffix: string;
  readonly rootNamespace: string;
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Trust domains whose identities count as this mesh's own (authorization policies match them too). */
  readonly trustDomainAliases?: readonly string[];
  /** External authorizers an AuthorizationPolicy with action CUSTOM names. */
  readonly extensionProviders?: readonly ExtensionProvider[];
  /** Clients use Istio mutual TLS towards workloads with sidecars when no DestinationRule sets TLS (Istio's default: on). */
  readonly enableAutoMtls: boolean;
  // Cluster and route defaults (see mesh-traffic-defaults.ts). Absent means Istio's default, named beside each.
  /** Every cluster's connect timeout unless a DestinationRule's connectionPool.tcp sets one, as a protobuf duration ("10s", the default). */
  readonly connectTimeout?: string;
  /** SO_KEEPALIVE on every cluster's upstream connections; a DestinationRule's tcpKeepalive overrides it field by field. Default: none. */
  readonly tcpKeepalive?: TcpKeepaliveSettings;
  /** Locality load balancing for clusters whose DestinationRule sets none. Default: `{enabled: true}`. */
  readonly localityLbSetting?: LocalityLbSetting;
  /** Retries of routes whose VirtualService sets none, and of the default route. Default: none (Istio's 2 retries). */
  readonly defaultHttpRetryPolicy?: HTTPRetry;
  /** UPGRADE sends HTTP/1.1 to HTTP-port clusters over HTTP/2 unless a DestinationRule says otherwise. Default: DO_NOT_UPGRADE. */
  readonly h2UpgradePolicy?: 'DO_NOT_UPGRADE' | 'UPGRADE';
  /** Pattern of outbound clusters' alt_stat_name (%SERVICE%, %SERVICE_PORT%, ...). Default: none. */
  readonly outboundClusterStatName?: string;
  /** TLS of Istio mutual TLS that sidecars terminate (minimum version, cipher suites; never ECDH curves). */
  readonly meshMTLS?: MeshTlsSettings;
  /** TLS of everything but Istio mutual TLS: DestinationRule SIMPLE/MUTUAL upstreams and gateway servers. */
  readonly tlsDefaults?: MeshTlsSettings;
}

/** Istio's MeshConfig.TLSConfig; TLS_AUTO (the default) is left out. */
export interface MeshTlsSettings {
  readonly minProtocolVersion?: 'TLSV1_2' | 'TLSV1_3';
  readonly ecdhCurves?: readonly string[];
  readonly cipherSuites?: readonly string[];
}

export interface TcpKeepaliveSettings {
  readonly probes?: number;
  readonly time?: string;
  readonly interval?: string;
}

export const DEFAULT_MESH_CONFIG: MeshConfig = Object.freeze({
  trustDomain: 'cluster.local',
  domainSuffix: 'cluster.local',
  rootNamespace: 'istio-system',
  outboundTrafficPolicy: 'ALLOW_ANY',
  enableAutoMtls: true,
});

export interface WorkloadSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

export interface GatewayPort {
  readonly number: number;
  readonly name?: string;
  readonly protocol?: string;
  readonly targetPort?: number;
}

export interface GatewayServer {
  readonly port: GatewayPort;
  readonly hosts: readonly string[];
  readonly name?: string;
  readonly bind?: string;
  readonly tls?: Readonly<Record<string, unknown>>;
}

export interface GatewaySpec {
  /** Labels of the gateway pods this Gateway configures; Istio matches them in every namespace by default. */
  readonly selector?: Readonly<Record<string, string>>;
  readonly servers: readonly GatewayServer[];
}

/** A Sidecar listener's port (Istio's SidecarPort): the protocol is a name Istio parses ("HTTP", "TCP", "TLS", ...). */
export interface SidecarPort {
  readonly number?: number;
  readonly protocol?: string;
  readonly name?: string;
}

export interface SidecarEgress {
  readonly hosts: readonly string[];
  readonly port?: SidecarPort;
  readonly bind?: string;
  readonly captureMode?: string;
}

/** An inbound listener the Sidecar declares in place of the ones derived from the workload's services. */
export interface SidecarIngress {
  readonly port?: SidecarPort;
  readonly bind?: string;
  /** "127.0.0.1:<port>", "0.0.0.0:<port>" (the pod IP), "[::1]:<port>", "[::]:<port>" or "unix://<path>"; unset: the original destination. */
  readonly defaultEndpoint?: string;
  readonly captureMode?: string;
  readonly tls?: Readonly<Record<string, unknown>>;
  /** Limits on connections to the workload through this port; overrides inboundConnectionPool. */
  readonly connectionPool?: ConnectionPoolSettings;
}

export interface SidecarOutboundTrafficPolicy {
  readonly mode?: string;
  /** Where ALLOW_ANY sends unknown destinations instead of their original address. */
  readonly egressProxy?: Destination;
}

export interface SidecarSpec {
  readonly workloadSelector?: WorkloadSelector;
  readonly egress?: readonly SidecarEgress[];
  readonly ingress?: readonly SidecarIngress[];
  readonly outboundTrafficPolicy?: SidecarOutboundTrafficPolicy;
  /** Limits on connections to the workload through every inbound port without its own. */
  readonly inboundConnectionPool?: ConnectionPoolSettings;
}

/**
 * PeerAuthentication, AuthorizationPolicy and RequestAuthentication: the
 * model reads only what decides which workloads a policy applies to; the
 * security generators read the rest.
 */
export interface WorkloadPolicySpec {
  readonly selector?: WorkloadSelector;
  readonly targetRef?: Readonly<Record<string, unknown>>;
  readonly targetRefs?: readonly Readonly<Record<string, unknown>>[];
  readonly [field: string]: unknown;
}

export type PolicyKind = 'PeerAuthentication' | 'AuthorizationPolicy' | 'RequestAuthentication';

/**
 * Endpoints by service host, with per-port views. Kept apart from the rest
 * of the snapshot (as Istio's EndpointIndex is from its PushContext) so an
 * endpoint-only change makes a new index and reuses everything else.
 */
export interface EndpointIndex {
  /** Every endpoint of a service host (all ports, ready or not), sorted; identical lists are the same object across snapshots. */
  get(hostname: string): readonly WorkloadEndpoint[] | undefined;
  hosts(): Iterable<string>;
  readonly size: number;
  /** Endpoints serving one port of a service, ready or not. */
  forPort(hostname: string, port: ServicePort): readonly WorkloadEndpoint[];
  /** Ready endpoints of one port whose labels carry every label of `subsetLabels`. */
  select(hostname: string, port: ServicePort, subsetLabels?: Readonly<Record<string, string>>): readonly WorkloadEndpoint[];
}

/**
 * Several DestinationRules for one host in one namespace, merged as Istio
 * merges them: the first (oldest) keeps its traffic policy, later ones add
 * subsets with new names.
 */
export interface ConsolidatedDestinationRule {
  readonly rule: IstioConfig<DestinationRuleSpec>;
  /** "namespace/name" of every DestinationRule merged into `rule`, oldest first. */
  readonly from: readonly string[];
}

/** Lookups with Istio's precedence, derived from the snapshot's lists and rebuilt only when those lists change. */
export interface SnapshotIndexes {
  /** Services defined in each namespace (Kubernetes Services and ServiceEntries), sorted by host. */
  readonly servicesByNamespace: ReadonlyMap<string, readonly MeshService[]>;
  /**
   * VirtualServices bound to a gateway ("mesh" or "namespace/name") as a
   * proxy in `proxyNamespace` sees them: its own namespace's first, then
   * those exported to it, then public ones (Istio's VirtualServicesForGateway).
   */
  virtualServicesForGateway(proxyNamespace: string, gateway: string): readonly IstioConfig<VirtualServiceSpec>[];
  /** The VirtualService that owns `hostname` for that gateway: an exact host beats a wildcard, then the order above. */
  virtualServiceForHost(proxyNamespace: string, gateway: string, hostname: string): IstioConfig<VirtualServiceSpec> | undefined;
  /**
   * The DestinationRule for a service as a proxy in `proxyNamespace` sees
   * it: the proxy's namespace first, then the service's namespace, then the
   * root namespace, each by most specific host (Istio's PushContext.destinationRule).
   * Among rules for that host, one whose workloadSelector matches
   * `proxyLabels` beats one without a selector.
   */
  destinationRuleFor(
    proxyNamespace: string,
    hostname: string,
    serviceNamespace?: string,
    proxyLabels?: Readonly<Record<string, string>>,
  ): ConsolidatedDestinationRule | undefined;
  /**
   * Which DestinationRules a client namespace sees, as a label: "" for every
   * namespace that sees only the public rules (no rules of its own, not
   * named in any exportTo, not the root namespace), else the namespace
   * itself, followed by the names of the namespace's workloadSelector rules
   * that select a client with `labels`. Clients with equal views get equal
   * destinationRuleFor answers, so generators can share their output (a
   * view works as the proxyNamespace argument there).
   */
  destinationRuleView(namespace: string, labels?: Readonly<Record<string, string>>): string;
  /**
   * The egress scope of a sidecar proxy, as a label: "" when no Sidecar
   * resource applies (it sees every service), else the applying Sidecar's
   * "namespace/name". Proxies with equal scopes see the same services.
   */
  sidecarScope(namespace: string, labels: Readonly<Record<string, string>>): string;
  /** The services a scope label stands for, sorted by host ("" is every service). */
  servicesInScope(scope: string): readonly MeshService[];
  /** The Sidecar for a workload: one in its namespace selecting it, else its namespace's default, else the root namespace's. */
  sidecarFor(namespace: string, labels: Readonly<Record<string, string>>): IstioConfig<SidecarSpec> | undefined;
  /** Gateways whose selector matches a gateway pod's labels (any namespace), oldest first. */
  gatewaysFor(labels: Readonly<Record<string, string>>): readonly IstioConfig<GatewaySpec>[];
  /**
   * Policies of a kind that apply to a workload: root-namespace ones without
   * a selector (mesh-wide), then its namespace's without a selector, then
   * its namespace's whose selector matches; oldest first within each.
   */
  policiesFor(kind: PolicyKind, namespace: string, labels: Readonly<Record<string, string>>): readonly IstioConfig<WorkloadPolicySpec>[];
}

/** The snapshot's Istio config, each kind in snapshot order (creation time, then namespace and name). */
export interface ConfigLists {
  /** Hosts and gateway names resolved ("ns/name"). */
  readonly virtualServices: readonly IstioConfig<VirtualServiceSpec>[];
  /** Host resolved to an FQDN. */
  readonly destinationRules: readonly IstioConfig<DestinationRuleSpec>[];
  readonly gateways: readonly IstioConfig<GatewaySpec>[];
  readonly sidecars: readonly IstioConfig<SidecarSpec>[];
  readonly peerAuthentications: readonly IstioConfig<WorkloadPolicySpec>[];
  readonly authorizationPolicies: readonly IstioConfig<WorkloadPolicySpec>[];
  readonly requestAuthentications: readonly IstioConfig<WorkloadPolicySpec>[];
}

/** A gateway's serving key pair from a credentialName Secret; PEM bytes, base64-encoded as protobuf JSON carries bytes. */
export interface TlsKeyPair {
  readonly certificateChain: string;
  /** Never logged, never serialised with the snapshot. */
  readonly privateKey: string;
  readonly ocspStaple?: string;
}

/** The CA half of a credentialName Secret (MUTUAL gateways validate clients with it); base64 PEM. */
export interface CaBundle {
  readonly trustedCa: string;
  readonly crl?: string;
}

/**
 * Gateway TLS credentials from Kubernetes Secrets, read as Istio's
 * credentials controller reads them. Kept out of the snapshot's data
 * fields: nothing here may reach serialised snapshots or debug output.
 */
export interface GatewayCredentials {
  /** The key pair of Secret namespace/name ("cert"/"key", else "tls.crt"/"tls.key"). */
  keyPair(namespace: string, name: string): TlsKeyPair | undefined;
  /** The CA bundle of Secret namespace/name ("cacert", else "ca.crt"). */
  caBundle(namespace: string, name: string): CaBundle | undefined;
}

/**
 * Everything generators may read, for one version of the mesh. Immutable;
 * a new snapshot reuses unchanged parts of the previous one by reference.
 * The data fields are plain and serialisable (serializeSnapshot); `indexes`
 * and `endpoints`' per-port views are derived from them.
 */
export interface MeshSnapshot extends ConfigLists {
  /** Monotonic id of this snapshot within the process ("1", "2", ...). */
  readonly id: number;
  readonly mesh: MeshConfig;
  /** Services by FQDN host name, sorted by host name when iterated. */
  readonly services: ReadonlyMap<string, MeshService>;
  /** Endpoints by service FQDN host name (all ports of the service). */
  readonly endpoints: EndpointIndex;
  readonly indexes: SnapshotIndexes;
  /** Gateway credentials by Secret; derived from Secrets, never part of serialised snapshot data. */
  readonly gatewayCredentials: GatewayCredentials;
}
