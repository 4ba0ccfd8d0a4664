/**
 * What the Kubernetes source suites do to a KubeEnv's apiserver, with the
 * admin credentials: install the test CRDs, create, change and delete
 * objects. And a KubernetesSource under test with its real metrics registry.
 */
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, loadAllYaml, type KubernetesObject, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { formatConfigError } from '../../../src/config/config-error.js';
import type { SourceUpdate } from '../../../src/config/config-source.js';
import { KUBE_KINDS, type KubeKind } from '../../../src/config/kubernetes/kind-table.js';
import { KubernetesSource, type KubernetesSourceOptions } from '../../../src/config/kubernetes/kubernetes-source.js';
import { createKubernetesMetrics } from '../../../src/metrics/kubernetes-metrics.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import type { KubeEnv } from '../../helpers/kube-env.js';

const CRD_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/kubernetes/istio-crds.yaml');

/** Test timings: quick retries so a partition or restart heals within a test's time. */
export const FAST_TUNING = {
  backoff: { initialMs: 100, maxMs: 1_000, jitter: 0.2 },
  missingRecheckMs: 500,
  resyncMs: 0,
  syncTimeoutMs: 20_000,
} as const;

export function crdManifests(group?: string): V1CustomResourceDefinition[] {
  // loadAllYaml maps x-kubernetes-* keys onto client-node's model fields; plain YAML objects would lose them when sent.
  const all = loadAllYaml(readFileSync(CRD_FILE, 'utf8')) as V1CustomResourceDefinition[];
  return all.filter((crd) => group === undefined || crd.spec.group === group);
}

/** Creates the fixture CRDs (all, or one group's) and waits until each is established and its resource lists. */
export async function installCrds(kubeConfig: KubeConfig, group?: string): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crds = crdManifests(group);
  for (const crd of crds) await api.createCustomResourceDefinition({ body: crd });
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata?.name} established`, async () => {
      const current = await api.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
      if (!current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
      // Established can precede the resource being served; a list proves it is.
      return objects.list(`${crd.spec.group}/v1`, crd.spec.names.kind, 'default').then(() => true, () => false);
    });
  }
}

export class Cluster {
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(readonly env: KubeEnv) {
    this.objects = KubernetesObjectApi.makeApiClient(env.kubeConfig);
    this.core = env.kubeConfig.makeApiClient(CoreV1Api);
    this.custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  // client-node's generic object client serializes through its model classes and drops a custom resource's spec: CRs go through CustomObjectsApi.
  async create<T extends KubernetesObject>(object: T): Promise<T> {
    const crd = crdKind(object);
    if (crd) return (await this.custom.createNamespacedCustomObject({ ...crdPath(crd, object), body: object })) as T;
    return (await this.objects.create(object)) as T;
  }

  /** Reads the current version, applies `change` to it and writes it back. */
  async update<T extends KubernetesObject>(object: T, change: (current: T) => void): Promise<T> {
    const crd = crdKind(object);
    if (crd) {
      const current = (await this.custom.getNamespacedCustomObject({ ...crdPath(crd, object), name: object.metadata?.name ?? '' })) as T;
      change(current);
      return (await this.custom.replaceNamespacedCustomObject({ ...crdPath(crd, object), name: object.metadata?.name ?? '', body: current })) as T;
    }
    const current = (await this.objects.read(object as KubernetesObject & { metadata: { name: string; namespace: string } })) as T;
    change(current);
    return (await this.objects.replace(current)) as T;
  }

  async delete(object: KubernetesObject): Promise<void> {
    const crd = crdKind(object);
    if (crd) await this.custom.deleteNamespacedCustomObject({ ...crdPath(crd, object), name: object.metadata?.name ?? '' });
    else await this.objects.delete(object);
  }

  async createNamespace(name: string): Promise<void> {
    await this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  /** Sets a Pod's status (no kubelet runs here to do it): its IP and readiness. */
  async setPodStatus(namespace: string, name: string, podIP: string, ready: boolean): Promise<void> {
    const pod = await this.core.readNamespacedPod({ name, namespace });
    pod.status = {
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    };
    await this.core.replaceNamespacedPodStatus({ name, namespace, body: pod });
  }
}

function crdKind(object: KubernetesObject): KubeKind | undefined {
  return KUBE_KINDS.find((k) => k.fromCrd && k.kind === object.kind && `${k.group}/${k.version}` === object.apiVersion);
}

function crdPath(kind: KubeKind, object: KubernetesObject): { group: string; version: string; namespace: string; plural: string } {
  return { group: kind.group, version: kind.version, namespace: object.metadata?.namespace ?? 'default', plural: kind.plural };
}

export const service = (namespace: string, name: string, port = 9080): KubernetesObject & Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace, labels: { app: name } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port, protocol: 'TCP' }] },
});

export const endpointSlice = (namespace: string, serviceName: string, addresses: readonly string[], port = 9080): KubernetesObject & Record<string, unknown> => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name: `${serviceName}-abc`, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
  ports: [{ name: 'http', port, protocol: 'TCP' }],
});

export const pod = (namespace: string, name: string, app: string): KubernetesObject & Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace, labels: { app } },
  spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }] },
});

export const virtualService = (namespace: string, name: string, hosts: readonly string[], destination = 'reviews'): KubernetesObject & Record<string, unknown> => ({
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
  metadata: { name, namespace },
  spec: { hosts, http: [{ route: [{ destination: { host: destination } }] }] },
});

export interface SourceUnderTest {
  readonly source: KubernetesSource;
  readonly registry: Registry;
  readonly updates: SourceUpdate[];
  /** formatConfigError of each error reported. */
  readonly errors: string[];
  readonly logs: LogBuffer;
  /** Current value of a metric series; 0 when the series does not exist. */
  metric(name: string, labels: Readonly<Record<string, string>>): Promise<number>;
}

export function createSource(kubeconfigPath: string, options: Partial<Omit<KubernetesSourceOptions, 'kubeConfig'>> = {}): SourceUnderTest {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return createSourceFor(kubeConfig, options);
}

export function createSourceFor(kubeConfig: KubeConfig, options: Partial<Omit<KubernetesSourceOptions, 'kubeConfig'>> = {}): SourceUnderTest {
  const registry = new Registry();
  const logs = new LogBuffer();
  const updates: SourceUpdate[] = [];
  const errors: string[] = [];
  const source = new KubernetesSource({
    ...FAST_TUNING,
    ...options,
    kubeConfig,
    observer: createKubernetesMetrics(registry, KUBE_KINDS.map((k) => k.kind)),
    logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    onUpdate: (update) => updates.push(update),
    onError: (error) => errors.push(formatConfigError(error)),
  });
  return {
    source, registry, updates, errors, logs,
    metric: async (name, labels) => {
      const metric = registry.getSingleMetric(name);
      if (!metric) throw new Error(`no metric ${name}`);
      const values = (await metric.get()).values;
      const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
      return match?.value ?? 0;
    },
  };
}

/** Polls until `check` holds; the error names what was awaited and, if given, more context. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context ? `\n${context()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
