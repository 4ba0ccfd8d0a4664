/**
 * A connected proxy as the model sees it, parsed from the xDS Node. Istio's
 * node id is "<type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>" and
 * pilot-agent adds ISTIO_META_* values as node metadata.
 */

import type { Locality } from './types.js';

/** sidecar: an Envoy next to a workload; router: a gateway Envoy; proxyless: a gRPC client library. */
export type ProxyType = 'sidecar' | 'router' | 'proxyless';

export interface ProxyNode {
  readonly id: string;
  readonly type: ProxyType;
  readonly ipAddresses: readonly string[];
  /** Pod name ("" when unknown). */
  readonly podName: string;
  readonly namespace: string;
  /** DNS domain of the proxy's namespace, e.g. "default.svc.cluster.local". */
  readonly dnsDomain: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  readonly clusterId?: string;
  readonly istioVersion?: string;
  /** "grpc" asks for proxyless gRPC configuration (Istio's GENERATOR metadata). */
  readonly generator?: string;
  /** Node.user_agent_name, e.g. "envoy", "grpc-node-js", "gRPC C-core". */
  readonly userAgent: string;
  /**
   * How traffic reaches the sidecar (ISTIO_META_INTERCEPTION_MODE): iptables
   * REDIRECT (the default), TPROXY (transparent, keeping the source address)
   * or NONE (no capture; the application addresses the proxy itself).
   */
  readonly interceptionMode?: InterceptionMode;
  /**
   * Where the proxy runs, from Node.locality (pilot-agent fills it from the
   * pod's topology labels; a gRPC bootstrap may set it). Locality load
   * balancing orders endpoints relative to it.
   */
  readonly locality?: Locality;
  /**
   * Where this Envoy fetches the workload's own secrets ("default" and
   * "ROOTCA"): see workloadSdsOf.
   */
  readonly workloadSds: WorkloadSdsSource;
  /** All node metadata as plain JSON. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * Who the stream authenticated as (a verified client certificate or
   * token), never taken from the node, which the client writes itself.
   * Absent on unauthenticated streams; secrets are served only with it
   * (Istio's Proxy.VerifiedIdentity).
   */
  readonly verifiedIdentity?: VerifiedIdentity;
}

export type InterceptionMode = 'REDIRECT' | 'TPROXY' | 'NONE';

/** Istio's GetInterceptionMode: an unknown or missing value is REDIRECT. */
function interceptionModeOf(value: unknown): InterceptionMode {
  return value === 'TPROXY' || value === 'NONE' ? value : 'REDIRECT';
}

/**
 * "sds-grpc": the local SDS cluster of pilot-agent's Envoy bootstrap (how
 * every Istio proxy gets them; Istio never sends them over ADS). "ads": this
 * server, over the proxy's own ADS stream (an Envoy without the agent).
 */
export type WorkloadSdsSource = 'sds-grpc' | 'ads';

/**
 * Node metadata naming the WorkloadSdsSource outright. tsiod's own Envoy
 * bootstrap sets "ads"; a hand-written bootstrap can set either (e.g.
 * "sds-grpc" for an Envoy whose sds-grpc cluster is a SPIRE agent).
 */
export const WORKLOAD_SDS_METADATA = 'TSIOD_WORKLOAD_SDS';

export interface VerifiedIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The xDS Node message as decoded from the wire (camelCase, Struct already converted to JSON). */
export interface XdsNode {
  readonly id?: string;
  readonly cluster?: string;
  readonly metadata?: Record<string, unknown>;
  readonly userAgentName?: string;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
}

export class ProxyNodeError extends Error {
  override readonly name = 'ProxyNodeError';
}

/**
 * The explicit marker if present, else "sds-grpc" when PROXY_CONFIG is
 * present: pilot-agent always sends it (bootstrap.GetNodeMetaData copies its
 * ProxyConfig, which is never nil, into every bootstrap it writes, and the
 * same bootstrap defines the sds-grpc cluster), and nothing else has reason
 * to. Unlike ISTIO_VERSION (tsiod's bootstrap sends one too), PILOT_SAN
 * (only with controlPlaneAuthPolicy MUTUAL_TLS) or ENVOY_STATUS_PORT (a
 * setting), it does not depend on how the agent is configured. Anything
 * else is an Envoy on its own, which can only get them over ADS.
 */
function workloadSdsOf(metadata: Readonly<Record<string, unknown>>, nodeId: string): WorkloadSdsSource {
  const marker = metadata[WORKLOAD_SDS_METADATA];
  if (marker !== undefined) {
    if (marker === 'sds-grpc' || marker === 'ads') return marker;
    throw new ProxyNodeError(`node "${nodeId}": metadata ${WORKLOAD_SDS_METADATA} is ${JSON.stringify(marker)}; expected "ads" or "sds-grpc"`);
  }
  const proxyConfig = metadata['PROXY_CONFIG'];
  return typeof proxyConfig === 'object' && proxyConfig !== null && !Array.isArray(proxyConfig) ? 'sds-grpc' : 'ads';
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Parses a Node into a ProxyNode. Istio-shaped ids are read field by field;
 * any other id (a hand-written gRPC bootstrap) is accepted with metadata or
 * defaults, because proxyless clients do not have to follow Istio's format.
 */
export function parseProxyNode(node: XdsNode | undefined, domainSuffix: string): ProxyNode {
  if (!node || !node.id) throw new ProxyNodeError('the first request on a stream must carry node.id');
  const metadata = node.metadata ?? {};
  const userAgent = node.userAgentName ?? '';
  const generator = optionalString(metadata['GENERATOR']);
  const parts = node.id.split('~');
  const istioShaped = parts.length === 4;
  let type: ProxyType;
  let ips: string[] = [];
  let podName = '';
  let namespace = optionalString(metadata['NAMESPACE']);
  let dnsDomain: string | undefined;
  if (istioShaped) {
    const [rawType, ip, podDotNs, domain] = parts as [string, string, string, string];
    if (rawType !== 'sidecar' && rawType !== 'router') {
      throw new ProxyNodeError(`node.id "${node.id}": proxy type "${rawType}" is not sidecar or router`);
    }
    type = rawType;
    ips = ip ? [ip] : [];
    const dot = podDotNs.lastIndexOf('.');
    podName = dot >= 0 ? podDotNs.slice(0, dot) : podDotNs;
    namespace ??= dot >= 0 ? podDotNs.slice(dot + 1) : undefined;
    dnsDomain = domain || undefined;
  } else {
    type = 'sidecar';
  }
  const isGrpc = generator === 'grpc' || /grpc/i.test(userAgent);
  if (isGrpc) type = 'proxyless';
  const instanceIps = optionalString(metadata['INSTANCE_IPS']);
  if (instanceIps) ips = instanceIps.split(',').map((s) => s.trim()).filter(Boolean);
  namespace ??= 'default';
  const locality = nodeLocality(node.locality);
  return Object.freeze({
    id: node.id,
    type,
    ipAddresses: Object.freeze(ips),
    podName,
    namespace,
    dnsDomain: dnsDomain ?? `${namespace}.svc.${domainSuffix}`,
    labels: Object.freeze(stringRecord(metadata['LABELS'])),
    serviceAccount: optionalString(metadata['SERVICE_ACCOUNT']),
    clusterId: optionalString(metadata['CLUSTER_ID']),
    istioVersion: optionalString(metadata['ISTIO_VERSION']),
    generator,
    userAgent,
    interceptionMode: interceptionModeOf(metadata['INTERCEPTION_MODE']),
    ...(locality ? { locality } : {}),
    workloadSds: workloadSdsOf(metadata, node.id),
    metadata: Object.freeze({ ...metadata }),
  });
}

/** Undefined when no part is set: an empty locality is no locality. */
function nodeLocality(raw: XdsNode['locality']): Locality | undefined {
  const region = optionalString(raw?.region);
  const zone = optionalString(raw?.zone);
  const subzone = optionalString(raw?.subZone);
  if (!region && !zone && !subzone) return undefined;
  return Object.freeze({ ...(region ? { region } : {}), ...(zone ? { zone } : {}), ...(subzone ? { subzone } : {}) });
}
