/**
 * A tsiod config directory holding a "reviews" mesh as real Kubernetes YAML,
 * one object per file, plus the edits a user makes to it while tsiod runs.
 *
 * Each backend pod gets its own EndpointSlice: an EndpointSlice's ports apply
 * to every endpoint in it, and all test backends share 127.0.0.1 on different
 * ports, so two pods of one version cannot share a slice.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export const MESH_NAMESPACE = 'default';
export const REVIEWS_SERVICE = 'reviews';
export const REVIEWS_PORT = 9080;
/** Istio infers the protocol from the port name prefix; "grpc" makes it gRPC. */
const REVIEWS_PORT_NAME = 'grpc';
const BACKEND_ADDRESS = '127.0.0.1';

export interface ReviewsPod {
  /** Pod name, also the echo backend's id, e.g. "reviews-v3-b". */
  readonly name: string;
  /** Value of the pod's "version" label, which the DestinationRule subsets select on. */
  readonly version: string;
  /** Port of the real backend on 127.0.0.1. */
  readonly port: number;
}

/** VirtualService weight per subset (= version), e.g. { v1: 60, v2: 30, v3: 10 }. */
export type RouteWeights = Readonly<Record<string, number>>;

/**
 * How a file is changed: "rename" writes a sibling temp file and renames it
 * over the original (what most editors and `kubectl`-style tools do, atomic);
 * "overwrite" truncates and rewrites the file in place (shell `>` redirect).
 */
export type EditMode = 'rename' | 'overwrite';

export interface MeshDir {
  readonly path: string;
  readonly pods: readonly ReviewsPod[];
  /** Rewrites the VirtualService with these subset weights. */
  setRouteWeights(weights: RouteWeights, mode: EditMode): Promise<void>;
  /** Rewrites the pod's EndpointSlice with its endpoint taken out. */
  removeEndpoint(podName: string, mode: EditMode): Promise<void>;
  /** Every YAML file's current text, for failure output. */
  snapshot(): Promise<string>;
  remove(): Promise<void>;
}

type Manifest = Readonly<Record<string, unknown>>;

function service(): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: REVIEWS_SERVICE, namespace: MESH_NAMESPACE, labels: { app: REVIEWS_SERVICE } },
    spec: {
      selector: { app: REVIEWS_SERVICE },
      ports: [{ name: REVIEWS_PORT_NAME, port: REVIEWS_PORT, targetPort: REVIEWS_PORT, protocol: 'TCP' }],
    },
  };
}

function pod(p: ReviewsPod): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: MESH_NAMESPACE,
      labels: { app: REVIEWS_SERVICE, version: p.version },
    },
    spec: {
      containers: [{ name: REVIEWS_SERVICE, image: 'tsiod-test/echo', ports: [{ containerPort: p.port }] }],
    },
    status: { phase: 'Running', podIP: BACKEND_ADDRESS, podIPs: [{ ip: BACKEND_ADDRESS }] },
  };
}

function endpointSlice(p: ReviewsPod, withEndpoint: boolean): Manifest {
  const endpoint = {
    addresses: [BACKEND_ADDRESS],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', name: p.name, namespace: MESH_NAMESPACE },
  };
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: p.name,
      namespace: MESH_NAMESPACE,
      labels: { 'kubernetes.io/service-name': REVIEWS_SERVICE },
    },
    addressType: 'IPv4',
    ports: [{ name: REVIEWS_PORT_NAME, port: p.port, protocol: 'TCP' }],
    endpoints: withEndpoint ? [endpoint] : [],
  };
}

function destinationRule(versions: readonly string[]): Manifest {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: REVIEWS_SERVICE, namespace: MESH_NAMESPACE },
    spec: {
      host: REVIEWS_SERVICE,
      subsets: versions.map((v) => ({ name: v, labels: { version: v } })),
    },
  };
}

function virtualService(weights: RouteWeights): Manifest {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: REVIEWS_SERVICE, namespace: MESH_NAMESPACE },
    spec: {
      hosts: [REVIEWS_SERVICE],
      http: [
        {
          route: Object.entries(weights).map(([subset, weight]) => ({
            destination: { host: REVIEWS_SERVICE, subset },
            weight,
          })),
        },
      ],
    },
  };
}

async function writeManifest(file: string, manifest: Manifest, mode: EditMode): Promise<void> {
  const text = stringify(manifest);
  if (mode === 'overwrite') {
    await writeFile(file, text);
    return;
  }
  // Hidden and without a .yaml suffix, as editors name their temp files, so a
  // watcher that only loads *.yaml / *.yml never parses the half-written copy.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, text);
  await rename(temp, file);
}

function validateWeights(weights: RouteWeights, versions: readonly string[]): void {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  if (total !== 100) throw new Error(`route weights must add up to 100, got ${total}`);
  for (const subset of Object.keys(weights)) {
    if (!versions.includes(subset)) throw new Error(`weight for unknown subset "${subset}" (have ${versions.join(', ')})`);
  }
}

export async function writeReviewsMesh(pods: readonly ReviewsPod[], weights: RouteWeights): Promise<MeshDir> {
  const versions = [...new Set(pods.map((p) => p.version))].sort();
  validateWeights(weights, versions);
  const dir = await mkdtemp(path.join(tmpdir(), 'tsiod-mesh-'));
  const fileOf = {
    service: path.join(dir, 'reviews-service.yaml'),
    pod: (name: string) => path.join(dir, `pod-${name}.yaml`),
    slice: (name: string) => path.join(dir, `endpointslice-${name}.yaml`),
    destinationRule: path.join(dir, 'reviews-destinationrule.yaml'),
    virtualService: path.join(dir, 'reviews-virtualservice.yaml'),
  };
  const initial: Array<[string, Manifest]> = [
    [fileOf.service, service()],
    ...pods.map((p): [string, Manifest] => [fileOf.pod(p.name), pod(p)]),
    ...pods.map((p): [string, Manifest] => [fileOf.slice(p.name), endpointSlice(p, true)]),
    [fileOf.destinationRule, destinationRule(versions)],
    [fileOf.virtualService, virtualService(weights)],
  ];
  for (const [file, manifest] of initial) await writeManifest(file, manifest, 'overwrite');
  const allFiles = initial.map(([file]) => file);

  return {
    path: dir,
    pods,
    async setRouteWeights(next: RouteWeights, mode: EditMode): Promise<void> {
      validateWeights(next, versions);
      await writeManifest(fileOf.virtualService, virtualService(next), mode);
    },
    async removeEndpoint(podName: string, mode: EditMode): Promise<void> {
      const target = pods.find((p) => p.name === podName);
      if (!target) throw new Error(`no pod "${podName}" in the mesh`);
      await writeManifest(fileOf.slice(podName), endpointSlice(target, false), mode);
    },
    async snapshot(): Promise<string> {
      const texts = await Promise.all(
        allFiles.map(async (file) => `# ${path.basename(file)}\n${await readFile(file, 'utf8')}`),
      );
      return texts.join('---\n');
    },
    async remove(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
