/**
 * Writes a config directory of S services over K namespaces for tsiod's
 * directory source: one YAML file per service (so an endpoint change is one
 * file write) plus one file of Namespaces.
 *
 * Shape: every service has port 8080 "http"; every 10th (index % 10 == 4)
 * adds 9090 "grpc", every 10th (index % 10 == 7) adds 5432 "tcp-db"; every
 * 3rd service has 3 pods, the others 2, alternating versions v1/v2; every
 * 10th (index % 10 == 3) has a DestinationRule with subsets v1/v2 and a
 * VirtualService splitting 90/10.
 *
 * Run alone: node --import tsx bench/mesh/generate-mesh.ts --out <dir> [--services 1000] [--namespaces 20]
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CLUSTER_IP_BLOCK,
  loopbackAddress,
  POD_ADDRESS_BLOCK,
  type BenchMesh,
  type BenchPod,
  type BenchPort,
  type BenchService,
} from './mesh-model.js';
import { namespaceDocuments, serviceDocuments, toYamlStream } from './service-documents.js';

export interface MeshOptions {
  readonly dir: string;
  readonly services: number;
  readonly namespaces: number;
}

/** Hands out pod names and addresses; endpoint changes keep drawing from it. */
export class PodAllocator {
  private next = 0;

  pod(serviceName: string, version: 'v1' | 'v2'): BenchPod {
    const n = this.next++;
    return { name: `${serviceName}-${version}-${n.toString(36).padStart(5, '0')}`, ip: loopbackAddress(POD_ADDRESS_BLOCK, n), version };
  }
}

function portsFor(index: number): BenchPort[] {
  const ports: BenchPort[] = [{ name: 'http', port: 8080 }];
  if (index % 10 === 4) ports.push({ name: 'grpc', port: 9090 });
  if (index % 10 === 7) ports.push({ name: 'tcp-db', port: 5432 });
  return ports;
}

export function buildMesh(options: MeshOptions, pods: PodAllocator): BenchMesh {
  const width = String(options.services - 1).length;
  const namespaces = Array.from({ length: options.namespaces }, (_, i) => `ns-${String(i).padStart(2, '0')}`);
  const services: BenchService[] = [];
  for (let i = 0; i < options.services; i++) {
    const name = `svc-${String(i).padStart(Math.max(4, width), '0')}`;
    const namespace = namespaces[i % namespaces.length]!;
    const podCount = i % 3 === 0 ? 3 : 2;
    services.push({
      index: i,
      name,
      namespace,
      clusterIP: loopbackAddress(CLUSTER_IP_BLOCK, i),
      ports: portsFor(i),
      pods: Array.from({ length: podCount }, (_, k) => pods.pod(name, k % 2 === 0 ? 'v1' : 'v2')),
      trafficSplit: i % 10 === 3,
      file: path.join(options.dir, `${namespace}.${name}.yaml`),
    });
  }
  return { dir: options.dir, namespaces, services };
}

export function writeServiceFile(service: BenchService): void {
  // One write() of a few KB: a file watcher never sees a half-written file.
  fs.writeFileSync(service.file, toYamlStream(serviceDocuments(service)));
}

export function writeMesh(mesh: BenchMesh): void {
  fs.mkdirSync(mesh.dir, { recursive: true });
  fs.writeFileSync(path.join(mesh.dir, 'namespaces.yaml'), toYamlStream(namespaceDocuments(mesh.namespaces)));
  for (const service of mesh.services) writeServiceFile(service);
}

export function generateMesh(options: MeshOptions): { mesh: BenchMesh; pods: PodAllocator } {
  const pods = new PodAllocator();
  const mesh = buildMesh(options, pods);
  writeMesh(mesh);
  return { mesh, pods };
}

function main(): void {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, services: { type: 'string', default: '1000' }, namespaces: { type: 'string', default: '20' } },
  });
  if (!values.out) throw new Error('--out <dir> is required');
  const { mesh } = generateMesh({ dir: values.out, services: Number(values.services), namespaces: Number(values.namespaces) });
  const pods = mesh.services.reduce((n, s) => n + s.pods.length, 0);
  console.log(`wrote ${mesh.services.length} services, ${pods} pods over ${mesh.namespaces.length} namespaces to ${mesh.dir}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
