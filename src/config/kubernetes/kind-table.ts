/**
 * What the Kubernetes source lists and watches for each kind tsiod reads:
 * the API group, version and resource (plural) to ask the apiserver for.
 *
 * Endpoints is left out on purpose: EndpointSlices are authoritative in any
 * cluster tsiod supports, and reading both would count every endpoint twice.
 * Istio's kinds are read at v1 (served since Istio 1.22); an older Istio
 * that serves only v1beta1 looks like a missing CRD here.
 */
export interface KubeKind {
  /** The tsiod kind (src/config/kinds.ts). */
  readonly kind: string;
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource name in the URL ("services"). */
  readonly plural: string;
  readonly clusterScoped: boolean;
  /**
   * Keep `status` in the stored content. Only Pod's is read (podIP,
   * readiness); dropping the others means a status-only write (a Service's
   * load balancer, Istio's analysis status) is not a config change.
   */
  readonly keepStatus: boolean;
  /** Served by a CRD that may not be installed: a 404 is "not installed", not a fault. */
  readonly fromCrd: boolean;
}

function kubeKind(kind: string, group: string, version: string, plural: string, options: Partial<Pick<KubeKind, 'clusterScoped' | 'keepStatus' | 'fromCrd'>> = {}): KubeKind {
  return Object.freeze({ kind, group, version, plural, clusterScoped: false, keepStatus: false, fromCrd: false, ...options });
}

const ISTIO_NETWORKING = 'networking.istio.io';
const ISTIO_SECURITY = 'security.istio.io';

export const KUBE_KINDS: readonly KubeKind[] = Object.freeze([
  kubeKind('Namespace', '', 'v1', 'namespaces', { clusterScoped: true }),
  kubeKind('Service', '', 'v1', 'services'),
  kubeKind('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices'),
  kubeKind('Pod', '', 'v1', 'pods', { keepStatus: true }),
  kubeKind('VirtualService', ISTIO_NETWORKING, 'v1', 'virtualservices', { fromCrd: true }),
  kubeKind('DestinationRule', ISTIO_NETWORKING, 'v1', 'destinationrules', { fromCrd: true }),
  kubeKind('Gateway', ISTIO_NETWORKING, 'v1', 'gateways', { fromCrd: true }),
  kubeKind('ServiceEntry', ISTIO_NETWORKING, 'v1', 'serviceentries', { fromCrd: true }),
  kubeKind('Sidecar', ISTIO_NETWORKING, 'v1', 'sidecars', { fromCrd: true }),
  kubeKind('WorkloadEntry', ISTIO_NETWORKING, 'v1', 'workloadentries', { fromCrd: true }),
  kubeKind('PeerAuthentication', ISTIO_SECURITY, 'v1', 'peerauthentications', { fromCrd: true }),
  kubeKind('AuthorizationPolicy', ISTIO_SECURITY, 'v1', 'authorizationpolicies', { fromCrd: true }),
  kubeKind('RequestAuthentication', ISTIO_SECURITY, 'v1', 'requestauthentications', { fromCrd: true }),
]);

/**
 * Secrets, listed only by `tsiod analyze` (to check Gateways' credentialName).
 * `tsiod serve` does not read them, and deploy/rbac.yaml does not grant them.
 */
export const SECRET_KUBE_KIND: KubeKind = kubeKind('Secret', '', 'v1', 'secrets');

/** "v1" or "group/version", as objects of the kind carry it. */
export function apiVersionOf(kind: KubeKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/** The all-namespaces collection URL path ("/api/v1/services", "/apis/networking.istio.io/v1/virtualservices"). */
export function collectionPath(kind: KubeKind): string {
  return kind.group === '' ? `/api/${kind.version}/${kind.plural}` : `/apis/${kind.group}/${kind.version}/${kind.plural}`;
}

/** "networking.istio.io/v1 virtualservices", for log lines. */
export function describeResource(kind: KubeKind): string {
  return `${apiVersionOf(kind)} ${kind.plural}`;
}
