/**
 * The kinds the config pipeline accepts, and the apiVersions each is read
 * from. Istio's networking kinds are served under v1, v1beta1 and v1alpha3
 * with one schema, so all three are read as v1.
 */

const ISTIO_NETWORKING_VERSIONS = ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'];
const ISTIO_SECURITY_VERSIONS = ['security.istio.io/v1', 'security.istio.io/v1beta1'];

export interface KindInfo {
  readonly kind: string;
  readonly apiVersions: readonly string[];
  /** Cluster-scoped objects have no namespace. */
  readonly clusterScoped: boolean;
  /**
   * Stored but not yet translated into the snapshot (later issues read them);
   * accepting them lets a directory written for Istio load without errors.
   */
  readonly storedOnly: boolean;
}

function kindInfo(kind: string, apiVersions: readonly string[], options: Partial<Pick<KindInfo, 'clusterScoped' | 'storedOnly'>> = {}): KindInfo {
  return Object.freeze({ kind, apiVersions: Object.freeze([...apiVersions]), clusterScoped: false, storedOnly: false, ...options });
}

export const KINDS: ReadonlyMap<string, KindInfo> = new Map(
  [
    kindInfo('Service', ['v1']),
    kindInfo('EndpointSlice', ['discovery.k8s.io/v1']),
    kindInfo('Endpoints', ['v1']),
    kindInfo('Pod', ['v1']),
    kindInfo('Namespace', ['v1'], { clusterScoped: true, storedOnly: true }),
    // Only its labels are read: the locality of the Pods scheduled on it (src/model/pod-locality.ts).
    kindInfo('Node', ['v1'], { clusterScoped: true }),
    // Gateways' credentialName (analysis now, SDS later). Never logged: see SENSITIVE_KINDS.
    kindInfo('Secret', ['v1'], { storedOnly: true }),
    // Only the mesh config, ConfigMap `istio` in the system namespace, is read (src/model/mesh-config.ts).
    kindInfo('ConfigMap', ['v1'], { storedOnly: true }),
    kindInfo('ServiceEntry', ISTIO_NETWORKING_VERSIONS),
    kindInfo('VirtualService', ISTIO_NETWORKING_VERSIONS),
    kindInfo('DestinationRule', ISTIO_NETWORKING_VERSIONS),
    kindInfo('Gateway', ISTIO_NETWORKING_VERSIONS, { storedOnly: true }),
    kindInfo('Sidecar', ISTIO_NETWORKING_VERSIONS, { storedOnly: true }),
    kindInfo('WorkloadEntry', ISTIO_NETWORKING_VERSIONS),
    kindInfo('PeerAuthentication', ISTIO_SECURITY_VERSIONS, { storedOnly: true }),
    kindInfo('AuthorizationPolicy', ISTIO_SECURITY_VERSIONS, { storedOnly: true }),
    kindInfo('RequestAuthentication', ISTIO_SECURITY_VERSIONS, { storedOnly: true }),
  ].map((info) => [info.kind, info]),
);

/** Kinds whose changes can only move endpoints (see classifyChange); a Node's labels are its Pods' locality. */
export const ENDPOINT_KINDS: ReadonlySet<string> = new Set(['EndpointSlice', 'Endpoints', 'Pod', 'WorkloadEntry', 'Node']);

/** Kinds whose content must never reach a log line, an error message or debug output. */
export const SENSITIVE_KINDS: ReadonlySet<string> = new Set(['Secret']);
