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
  /** Read from this one namespace only (a namespaced list+watch); undefined: every namespace. */
  readonly namespace?: string;
  /** A fieldSelector sent with every list and watch ("metadata.name=istio"). */
  readonly fieldSelector?: string;
  /** Its objects' content is never echoed in logs or errors (Secrets). */
  readonly sensitive: boolean;
}

type KubeKindOptions = Partial<Pick<KubeKind, 'clusterScoped' | 'keepStatus' | 'fromCrd' | 'namespace' | 'fieldSelector' | 'sensitive'>>;

function kubeKind(kind: string, group: string, version: string, plural: string, options: KubeKindOptions = {}): KubeKind {
  return Object.freeze({ kind, group, version, plural, clusterScoped: false, keepStatus: false, fromCrd: false, sensitive: false, ...options });
}

/** Istio's default system namespace, where its mesh config lives (`--system-namespace`). */
export const DEFAULT_SYSTEM_NAMESPACE = 'istio-system';
/** The ConfigMap holding the mesh config (Istio's `istio`, key `mesh`). */
export const MESH_CONFIG_MAP_NAME = 'istio';

/** istiod at revision `rev` reads `istio-<rev>`; the default revision reads `istio` (Istio's istiod chart). */
export function meshConfigMapName(revision: string | undefined): string {
  return revision === undefined || revision === '' || revision === 'default' ? MESH_CONFIG_MAP_NAME : `${MESH_CONFIG_MAP_NAME}-${revision}`;
}

/**
 * Secrets as istiod's secret controller reads them: every type but
 * service-account tokens (which only grant API access) and Helm's release
 * records (large, never TLS material).
 */
export const SECRET_FIELD_SELECTOR = 'type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1';

const ISTIO_NETWORKING = 'networking.istio.io';
const ISTIO_SECURITY = 'security.istio.io';

/** Only the mesh config's ConfigMap: a namespaced watch, field-selected to the one name. */
export function meshConfigMapKind(systemNamespace: string = DEFAULT_SYSTEM_NAMESPACE, configMapName: string = MESH_CONFIG_MAP_NAME): KubeKind {
  return kubeKind('ConfigMap', '', 'v1', 'configmaps', { namespace: systemNamespace, fieldSelector: `metadata.name=${configMapName}` });
}

/**
 * Secrets, for Gateways' credentialName (SDS). Stored whole, but marked
 * sensitive: their content never reaches a log line or an error message.
 */
export const SECRET_KUBE_KIND: KubeKind = kubeKind('Secret', '', 'v1', 'secrets', { fieldSelector: SECRET_FIELD_SELECTOR, sensitive: true });

/** Every kind `tsiod serve` reads, the mesh config read from `systemNamespace`. */
export function kubeKinds(systemNamespace: string = DEFAULT_SYSTEM_NAMESPACE, meshConfigMap: string = MESH_CONFIG_MAP_NAME): readonly KubeKind[] {
  return Object.freeze([...BASE_KUBE_KINDS, SECRET_KUBE_KIND, meshConfigMapKind(systemNamespace, meshConfigMap)]);
}

const BASE_KUBE_KINDS: readonly KubeKind[] = Object.freeze([
  kubeKind('Namespace', '', 'v1', 'namespaces', { clusterScoped: true }),
  kubeKind('Service', '', 'v1', 'services'),
  kubeKind('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices'),
  kubeKind('Pod', '', 'v1', 'pods', { keepStatus: true }),
  // For its labels (Pods' locality); status, by far its largest part (images, conditions), is dropped like every kind's but Pod's.
  kubeKind('Node', '', 'v1', 'nodes', { clusterScoped: true }),
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

/** What `tsiod serve` reads with the default system namespace; deploy/rbac.yaml grants exactly these. */
export const KUBE_KINDS: readonly KubeKind[] = kubeKinds();

/** The kinds `tsiod analyze` reads: all but Secrets (optional there, added by analyze) and the mesh config. */
export const ANALYZE_KUBE_KINDS: readonly KubeKind[] = BASE_KUBE_KINDS;

/** "v1" or "group/version", as objects of the kind carry it. */
export function apiVersionOf(kind: KubeKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/**
 * The collection URL path: all namespaces ("/api/v1/services",
 * "/apis/networking.istio.io/v1/virtualservices"), or the kind's one
 * namespace ("/api/v1/namespaces/istio-system/configmaps").
 */
export function collectionPath(kind: KubeKind): string {
  const root = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  const scope = kind.namespace !== undefined && !kind.clusterScoped ? `/namespaces/${encodeURIComponent(kind.namespace)}` : '';
  return `${root}${scope}/${kind.plural}`;
}

/** The list/watch query parameters the kind always sends (its fieldSelector). */
export function selectorQuery(kind: KubeKind): Readonly<Record<string, string>> {
  return kind.fieldSelector !== undefined ? { fieldSelector: kind.fieldSelector } : {};
}

/** "networking.istio.io/v1 virtualservices" (with "in <ns>" and the field selector when set), for log lines. */
export function describeResource(kind: KubeKind): string {
  const scope = kind.namespace !== undefined ? ` in ${kind.namespace}` : '';
  const selector = kind.fieldSelector !== undefined ? ` (${kind.fieldSelector})` : '';
  return `${apiVersionOf(kind)} ${kind.plural}${scope}${selector}`;
}
