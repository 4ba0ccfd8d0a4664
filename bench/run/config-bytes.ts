/**
 * Per-proxy config size, in-process: what one sidecar in the first namespace
 * gets from the real pipeline and generators (encoded protobuf bytes per
 * type), first with no Sidecar resource, then with a namespace-default
 * Sidecar limiting egress to its own namespace and istio-system. The ratio
 * is the scale lever Sidecar resources give (Istio's advice for large meshes).
 */
import { loadConfigText } from '../../src/config/load-config-text.js';
import { loadDirectory } from '../../src/config/load-directory.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { parseProxyNode, type ProxyNode } from '../../src/model/proxy.js';
import { DEFAULT_MESH_CONFIG, type MeshSnapshot } from '../../src/model/types.js';
import { generators } from '../../src/xds/gen/index.js';
import { typeForUrl } from '../../src/xds/proto/envoy-protos.js';
import type { GeneratedResource } from '../../src/xds/gen/generator.js';
import { ClusterType, EndpointType, ListenerType, RouteType, shortTypeName, type XdsTypeUrl } from '../../src/xds/proto/type-urls.js';
import { workloadName, type BenchMesh } from '../mesh/mesh-model.js';

export interface TypeBytes {
  readonly resources: number;
  readonly bytes: number;
}

export interface ProxyConfigBytes {
  readonly byType: Readonly<Record<string, TypeBytes>>;
  readonly totalBytes: number;
}

export interface SidecarScopeBytes {
  readonly proxy: string;
  readonly unscoped: ProxyConfigBytes;
  readonly ownNamespace: ProxyConfigBytes;
  /** unscoped.totalBytes / ownNamespace.totalBytes */
  readonly ratio: number;
}

/**
 * Envoy asks CDS and LDS by wildcard, then EDS for the EDS clusters CDS gave
 * it and RDS for the route names its listeners use; so does this.
 */
function configBytes(snapshot: MeshSnapshot, proxy: ProxyNode): ProxyConfigBytes {
  const generate = (typeUrl: XdsTypeUrl, names?: ReadonlySet<string>): GeneratedResource[] => {
    const generator = generators.get(typeUrl);
    return generator ? generator.generate(snapshot, generator.keyOf(proxy, snapshot), names) : [];
  };
  const clusters = generate(ClusterType);
  const listeners = generate(ListenerType);
  const edsNames = new Set(clusters.filter((c) => c.resource['type'] === 'EDS').map((c) => c.name));
  const routeNames = new Set(listeners.flatMap((l) => [...JSON.stringify(l.resource).matchAll(/"routeConfigName":"([^"]+)"/g)].map((m) => m[1] ?? '')));
  const byTypeUrl: [XdsTypeUrl, GeneratedResource[]][] = [
    [ClusterType, clusters],
    [EndpointType, generate(EndpointType, edsNames)],
    [ListenerType, listeners],
    [RouteType, generate(RouteType, routeNames)],
  ];
  const byType: Record<string, TypeBytes> = {};
  let totalBytes = 0;
  for (const [typeUrl, resources] of byTypeUrl) {
    const type = typeForUrl(typeUrl);
    const bytes = resources.reduce((sum, r) => sum + type.encode(type.fromObject(r.resource)).finish().length, 0);
    byType[shortTypeName(typeUrl)] = { resources: resources.length, bytes };
    totalBytes += bytes;
  }
  return { byType, totalBytes };
}

function scopingSidecar(namespace: string): string {
  return `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: ${namespace}}
spec:
  egress:
  - hosts: ["./*", "istio-system/*"]
`;
}

export async function measureSidecarScope(meshDir: string, mesh: BenchMesh): Promise<SidecarScopeBytes> {
  const service = mesh.services[0];
  const pod = service?.pods[0];
  if (!service || !pod) throw new Error('the bench mesh has no pods');
  const loaded = await loadDirectory(meshDir);
  if (loaded.errors.length > 0) throw new Error(`bench mesh does not load: ${loaded.errors[0]?.message ?? ''}`);
  const objects = [...loaded.store.objects().values()];
  const node = parseProxyNode(
    {
      id: `sidecar~${pod.ip}~${workloadName(service, pod)}.${service.namespace}~${service.namespace}.svc.cluster.local`,
      metadata: { NAMESPACE: service.namespace, LABELS: { app: service.name, version: pod.version } },
    },
    DEFAULT_MESH_CONFIG.domainSuffix,
  );
  const sidecar = loadConfigText('bench-sidecar.yaml', scopingSidecar(service.namespace));
  if (sidecar.errors.length > 0) throw new Error(`bench Sidecar is invalid: ${sidecar.errors[0]?.message ?? ''}`);
  const unscoped = configBytes(buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects }), node);
  const ownNamespace = configBytes(buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: [...objects, ...sidecar.objects] }), node);
  return { proxy: node.id, unscoped, ownNamespace, ratio: Number((unscoped.totalBytes / ownNamespace.totalBytes).toFixed(2)) };
}

export function formatSidecarScope(s: SidecarScopeBytes): string {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  const lines = [`per-proxy config of ${s.proxy}:`, '  type  no Sidecar                  Sidecar egress ./* istio-system/*'];
  for (const type of Object.keys(s.unscoped.byType)) {
    const a = s.unscoped.byType[type];
    const b = s.ownNamespace.byType[type];
    if (!a || !b) continue;
    lines.push(`  ${type.padEnd(5)} ${String(a.resources).padStart(6)} res ${kib(a.bytes).padStart(12)}   ${String(b.resources).padStart(6)} res ${kib(b.bytes).padStart(12)}`);
  }
  lines.push(`  total ${kib(s.unscoped.totalBytes).padStart(23)}   ${kib(s.ownNamespace.totalBytes).padStart(23)}   ratio ${s.ratio}x`);
  return lines.join('\n');
}
