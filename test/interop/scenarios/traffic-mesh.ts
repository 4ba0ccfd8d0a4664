/**
 * A tsiod config directory for the traffic-management scenarios: the
 * "reviews" Service (gRPC port), one Pod and one EndpointSlice per backend
 * (each backend listens on its own 127.0.0.1 port, and a slice's ports apply
 * to all its endpoints), and one file of routing objects (VirtualServices,
 * DestinationRules) that each scenario replaces whole, by rename as editors
 * save.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export const NAMESPACE = 'default';
export const SERVICE = 'reviews';
export const SERVICE_PORT = 9080;
/** Istio infers the protocol from the port name prefix: "grpc" makes it gRPC. */
const PORT_NAME = 'grpc';
const BACKEND_ADDRESS = '127.0.0.1';
const ROUTING_FILE = 'routing.yaml';

export type Manifest = Readonly<Record<string, unknown>>;

export interface MeshPod {
  readonly name: string;
  /** The "version" label, which DestinationRule subsets select on. */
  readonly version: string;
  readonly port: number;
}

export interface TrafficMesh {
  readonly path: string;
  /** Replaces every routing object (VirtualService, DestinationRule) with these. */
  setRouting(objects: readonly Manifest[]): Promise<void>;
  /** Every file's current text, for failure output. */
  snapshot(): Promise<string>;
  remove(): Promise<void>;
}

function service(): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICE, namespace: NAMESPACE, labels: { app: SERVICE } },
    spec: { selector: { app: SERVICE }, ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: SERVICE_PORT, protocol: 'TCP' }] },
  };
}

function pod(p: MeshPod): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: NAMESPACE, labels: { app: SERVICE, version: p.version } },
    spec: { containers: [{ name: SERVICE, image: 'tsiod-test/behaving-backend', ports: [{ containerPort: p.port }] }] },
    status: { phase: 'Running', podIP: BACKEND_ADDRESS, podIPs: [{ ip: BACKEND_ADDRESS }] },
  };
}

function endpointSlice(p: MeshPod): Manifest {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: p.name, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': SERVICE } },
    addressType: 'IPv4',
    ports: [{ name: PORT_NAME, port: p.port, protocol: 'TCP' }],
    endpoints: [
      {
        addresses: [BACKEND_ADDRESS],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', name: p.name, namespace: NAMESPACE },
      },
    ],
  };
}

function yamlDocuments(objects: readonly Manifest[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** Writes `text` beside `file` under a hidden temp name, then renames it over `file`, as editors save. */
async function replaceFile(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, text);
  await rename(temp, file);
}

export async function writeTrafficMesh(pods: readonly MeshPod[], routing: readonly Manifest[]): Promise<TrafficMesh> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tsiod-traffic-mesh-'));
  await writeFile(path.join(dir, 'reviews-service.yaml'), stringify(service()));
  for (const p of pods) {
    await writeFile(path.join(dir, `pod-${p.name}.yaml`), stringify(pod(p)));
    await writeFile(path.join(dir, `endpointslice-${p.name}.yaml`), stringify(endpointSlice(p)));
  }
  await writeFile(path.join(dir, ROUTING_FILE), yamlDocuments(routing));
  return {
    path: dir,
    setRouting: (objects) => replaceFile(path.join(dir, ROUTING_FILE), yamlDocuments(objects)),
    async snapshot(): Promise<string> {
      const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
      const texts = await Promise.all(files.map(async (f) => `# ${f}\n${await readFile(path.join(dir, f), 'utf8')}`));
      return texts.join('---\n');
    },
    async remove(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
