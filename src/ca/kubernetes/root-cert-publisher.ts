/**
 * Distributes the mesh's trust bundle the way istiod's namespace controller
 * does (pilot/pkg/serviceregistry/kube/controller/namespacecontroller.go):
 * ConfigMap `istio-ca-root-cert`, data key `root-cert.pem` = the whole
 * bundle, label istio.io/config: "true", in every namespace but
 * kube-public, kube-node-lease and local-path-storage (istiod's injection
 * ignore list minus kube-system, where ztunnel may run). Sidecars mount it
 * to verify istiod's 15012 certificate.
 *
 * Kept in sync from two watches, as istiod's are: Namespaces (a new one
 * gets the ConfigMap; a Terminating one is left alone) and the ConfigMaps
 * of that name (one deleted is created again, one whose root-cert.pem was
 * edited is set back). Like istiod's InsertDataToConfigMap, only the
 * root-cert.pem key is written into an existing ConfigMap: other keys,
 * labels and annotations someone added stay. update() rewrites every
 * namespace's copy (root rotation).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, type BackoffPolicy } from '../../config/kubernetes/backoff.js';
import { ClientNodeKubeApi } from '../../config/kubernetes/kube-api.js';
import { CollectionWatch } from './collection-watch.js';
import { causesOf, isJsonObject, KubeRest, statusOf, type JsonObject } from './kube-rest.js';

export const ROOT_CERT_CONFIG_MAP = 'istio-ca-root-cert';
export const ROOT_CERT_DATA_KEY = 'root-cert.pem';
export const ROOT_CERT_CONFIG_MAP_LABELS: Readonly<Record<string, string>> = Object.freeze({ 'istio.io/config': 'true' });
/** istiod's inject.IgnoredNamespaces without kube-system. */
export const ROOT_CERT_EXCLUDED_NAMESPACES: readonly string[] = Object.freeze(['kube-public', 'kube-node-lease', 'local-path-storage']);

export interface RootCertPublisherOptions {
  readonly logger: Logger;
  /** istiod's PILOT_CA_CERT_CONFIGMAP; default istio-ca-root-cert. */
  readonly configMapName?: string;
  /** Namespaces never written to; default ROOT_CERT_EXCLUDED_NAMESPACES. */
  readonly excludedNamespaces?: readonly string[];
  /** Retries of a namespace whose write failed; default 100 ms doubling to 60 s. */
  readonly retryBackoff?: BackoffPolicy;
  /** Writes in flight at once; default 4. */
  readonly concurrency?: number;
}

const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 60_000, jitter: 0.2 };
const DEFAULT_CONCURRENCY = 4;

/** The ConfigMap's root-cert.pem: the bundle's PEMs, each ending in a newline, current root first. */
export function trustBundleText(bundlePem: readonly string[]): string {
  if (bundlePem.length === 0) throw new Error('the trust bundle to publish is empty');
  return bundlePem.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');
}

export class RootCertPublisher {
  private readonly rest: KubeRest;
  private readonly watchApi: ClientNodeKubeApi;
  private readonly namespaces: CollectionWatch;
  private readonly configMaps: CollectionWatch;
  private readonly configMapName: string;
  private readonly excluded: ReadonlySet<string>;
  private readonly concurrency: number;
  private bundle = '';
  private synced = false;
  private stopped = false;
  private readonly stopping = new AbortController();
  /** Namespaces to reconcile, in arrival order. */
  private readonly dirty = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly retries = new Map<string, { readonly backoff: Backoff; timer?: NodeJS.Timeout }>();
  private idleWaiters: (() => void)[] = [];

  constructor(kubeConfig: KubeConfig, private readonly o: RootCertPublisherOptions) {
    this.rest = new KubeRest(kubeConfig);
    this.watchApi = new ClientNodeKubeApi(kubeConfig);
    this.configMapName = o.configMapName ?? ROOT_CERT_CONFIG_MAP;
    this.excluded = new Set(o.excludedNamespaces ?? ROOT_CERT_EXCLUDED_NAMESPACES);
    this.concurrency = Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY);
    const logger = o.logger;
    this.namespaces = new CollectionWatch({
      api: this.watchApi,
      path: '/api/v1/namespaces',
      describe: 'Namespaces',
      logger,
      onChange: (name, object) => {
        if (object !== undefined) this.enqueue(name);
      },
    });
    this.configMaps = new CollectionWatch({
      api: this.watchApi,
      path: '/api/v1/configmaps',
      query: { fieldSelector: `metadata.name=${this.configMapName}` },
      describe: `ConfigMaps ${this.configMapName}`,
      logger,
      onChange: (key) => this.enqueue(key.slice(0, key.indexOf('/'))),
    });
  }

  /** Resolves once Namespaces and the ConfigMaps are listed and every namespace was written to once (failures are retried in the background). */
  async start(bundlePem: readonly string[]): Promise<void> {
    this.bundle = trustBundleText(bundlePem);
    this.namespaces.start();
    this.configMaps.start();
    const stopped = new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([Promise.all([this.namespaces.synced, this.configMaps.synced]), stopped]);
    if (this.stopped) return;
    this.synced = true;
    const count = this.enqueueAll();
    this.o.logger.info({ configMap: this.configMapName, namespaces: count }, 'root cert: publishing the trust bundle to every namespace');
    await this.idle();
  }

  /** Publishes a new trust bundle (root rotation); resolves once every namespace was written to once. */
  async update(bundlePem: readonly string[]): Promise<void> {
    const bundle = trustBundleText(bundlePem);
    if (bundle === this.bundle) return;
    this.bundle = bundle;
    if (!this.synced) return; // start() writes whatever bundle is current once it has listed
    const count = this.enqueueAll();
    this.o.logger.info({ configMap: this.configMapName, namespaces: count, roots: bundlePem.length }, 'root cert: trust bundle changed; updating every namespace');
    await this.idle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    for (const retry of this.retries.values()) clearTimeout(retry.timer);
    this.retries.clear();
    this.dirty.clear();
    await Promise.all([this.namespaces.stop(), this.configMaps.stop()]);
    this.wakeIdle();
    await this.watchApi.close();
    await this.rest.close();
  }

  private eligible(namespace: string): boolean {
    if (this.excluded.has(namespace)) return false;
    const object = this.namespaces.get(namespace);
    if (object === undefined) return false;
    const status = isJsonObject(object['status']) ? object['status'] : {};
    // A Terminating namespace refuses new objects; istiod skips it too.
    return status['phase'] !== 'Terminating';
  }

  private enqueueAll(): number {
    let count = 0;
    for (const object of this.namespaces.values()) {
      const name = isJsonObject(object['metadata']) ? object['metadata']['name'] : undefined;
      if (typeof name === 'string' && this.eligible(name)) {
        this.enqueue(name);
        count += 1;
      }
    }
    return count;
  }

  private enqueue(namespace: string): void {
    // Before the first lists are in, a reconcile would see half the picture; start() queues everything then.
    if (this.stopped || !this.synced || !this.eligible(namespace)) return;
    this.dirty.add(namespace);
    this.pump();
  }

  private pump(): void {
    for (const namespace of this.dirty) {
      if (this.inFlight.size >= this.concurrency) break;
      if (this.inFlight.has(namespace)) continue; // after the write in flight ends, it runs again
      this.dirty.delete(namespace);
      this.inFlight.add(namespace);
      void this.reconcileWithRetry(namespace).finally(() => {
        this.inFlight.delete(namespace);
        this.pump();
        if (this.dirty.size === 0 && this.inFlight.size === 0) this.wakeIdle();
      });
    }
    if (this.dirty.size === 0 && this.inFlight.size === 0) this.wakeIdle();
  }

  private async reconcileWithRetry(namespace: string): Promise<void> {
    const pending = this.retries.get(namespace);
    clearTimeout(pending?.timer);
    try {
      await this.reconcile(namespace);
      this.retries.delete(namespace);
    } catch (error) {
      if (this.stopped) return;
      const retry = pending ?? { backoff: new Backoff(this.o.retryBackoff ?? DEFAULT_RETRY_BACKOFF) };
      const retryInMs = retry.backoff.next();
      this.o.logger.warn({ namespace, configMap: this.configMapName, err: errorText(error), retryInMs }, 'root cert: writing the ConfigMap failed; retrying');
      retry.timer = setTimeout(() => {
        retry.timer = undefined;
        this.enqueue(namespace);
      }, retryInMs);
      this.retries.set(namespace, retry);
    }
  }

  /** Makes the namespace's ConfigMap hold the bundle: create it, or set its root-cert.pem. */
  private async reconcile(namespace: string): Promise<void> {
    if (!this.eligible(namespace)) return;
    const bundle = this.bundle;
    const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
    const existing = this.configMaps.get(`${namespace}/${this.configMapName}`);
    if (existing === undefined) {
      try {
        await this.rest.create(collection, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: this.configMapName, namespace, labels: { ...ROOT_CERT_CONFIG_MAP_LABELS } },
          data: { [ROOT_CERT_DATA_KEY]: bundle },
        });
        this.o.logger.debug({ namespace, configMap: this.configMapName }, 'root cert: ConfigMap created');
      } catch (error) {
        // Created meanwhile (its watch event brings it here again), or the namespace is going away: nothing to do.
        if (statusOf(error) === 409 || statusOf(error) === 404 || causesOf(error).includes('NamespaceTerminating')) return;
        if (statusOf(error) === 403) {
          this.o.logger.info({ namespace, configMap: this.configMapName, err: errorText(error) }, 'root cert: not allowed to write the ConfigMap here; skipped');
          return;
        }
        throw error;
      }
      return;
    }
    if (dataOf(existing)[ROOT_CERT_DATA_KEY] === bundle) return;
    try {
      // A merge patch sets the one key and leaves whatever else is there.
      await this.rest.mergePatch(`${collection}/${encodeURIComponent(this.configMapName)}`, { data: { [ROOT_CERT_DATA_KEY]: bundle } });
      this.o.logger.debug({ namespace, configMap: this.configMapName }, 'root cert: ConfigMap updated');
    } catch (error) {
      // Deleted meanwhile: its DELETED event queues the namespace for a create.
      if (statusOf(error) === 404) return;
      throw error;
    }
  }

  private idle(): Promise<void> {
    if (this.stopped || (this.dirty.size === 0 && this.inFlight.size === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function dataOf(configMap: JsonObject): Readonly<Record<string, unknown>> {
  return isJsonObject(configMap['data']) ? configMap['data'] : {};
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
