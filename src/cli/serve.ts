/**
 * `tsiod serve`: the main job. Reads config from a directory of Kubernetes
 * and Istio YAML or from a cluster's apiserver, builds a snapshot, serves it
 * over ADS, and on every change (debounced) builds the next snapshot and
 * pushes only what changed.
 */
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DirectorySource } from '../config/directory-source.js';
import { formatConfigError, type ConfigError } from '../config/config-error.js';
import { mergeChangeSets, type ChangeSet } from '../config/change-set.js';
import type { ConfigSource, SourceUpdate } from '../config/config-source.js';
import { DEFAULT_SYSTEM_NAMESPACE, KUBE_KINDS, kubeKinds, meshConfigMapName } from '../config/kubernetes/kind-table.js';
import { KubernetesSource, type KubernetesSourceTuning } from '../config/kubernetes/kubernetes-source.js';
import { loadKubeConfig, type KubeConnection } from '../config/kubernetes/load-kube-config.js';
import { buildSnapshot } from '../model/build-snapshot.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig, type MeshSnapshot } from '../model/types.js';
import { classifyChange, isEmptyPush } from '../push/classify-change.js';
import { Debouncer, DEFAULT_DEBOUNCE } from '../push/debounce.js';
import { createGenerators } from '../xds/gen/index.js';
import { XdsServer } from '../xds/server/xds-server.js';
import { createKubernetesMetrics } from '../metrics/kubernetes-metrics.js';
import { createXdsMetrics } from '../metrics/xds-metrics.js';
import { startMonitoringServer, type MonitoringServer } from '../metrics/monitoring-server.js';
import { startReadinessServer, type ReadinessServer } from '../metrics/readiness-server.js';
import { createValidationMetrics } from '../metrics/validation-metrics.js';
import { sourceValidationCounter } from './source-validation-counter.js';
import { snapshotDebugViews } from '../debug/snapshot-debug.js';
import { istiodDnsNames, selfSignedServingCert, type ServingCert } from '../webhook/serving-cert.js';
import { startWebhookServer, type WebhookServer } from '../webhook/webhook-server.js';
import { WebhookConfigPatcher } from '../webhook/webhook-config-patcher.js';
import { createLogger } from './logger.js';
import { AnalysisReporter } from './analysis-reporter.js';
import { defaultStateDir, SecurityBinding, startSecurity, type SecurityEnvironment, type SecurityRuntime, type SecurityServeOptions } from './security-setup.js';
import { createMeshConfigSource } from './mesh-config-source.js';

export const TSIOD_VERSION = '0.1.0';

/** Where to read the cluster from, and how patiently. */
export type KubernetesServeOptions = KubeConnection &
  KubernetesSourceTuning & {
    /** Start-up waits this long for every kind's initial list, then serves what it has, unready; default 60 s. */
    readonly syncTimeoutMs?: number;
  };

/** The config source: a directory, or a cluster (exactly one). */
export type ServeSourceOptions =
  | { readonly configDir: string; readonly kubernetes?: undefined }
  | { readonly kubernetes: KubernetesServeOptions; readonly configDir?: undefined };

export type ServeOptions = ServeSourceOptions & CommonServeOptions & SecurityServeOptions;

interface CommonServeOptions {
  /** Address to listen on; default 0.0.0.0 (tests use 127.0.0.1). */
  readonly host?: string;
  /** Plaintext xDS port (no authentication, no secrets); default 15010; 0 picks a free port; null turns it off. */
  readonly xdsPort?: number | null;
  /** /metrics, /ready, /debug/syncz; default 15014; 0 picks a free port; null turns it off. */
  readonly monitoringPort?: number | null;
  /**
   * HTTPS validating admission webhook (POST /validate) and /ready, istiod's 15017. 0 picks a free port;
   * null or absent turns it off (`tsiod serve` defaults to 15017).
   */
  readonly webhookPort?: number | null;
  /** The webhook's serving certificate and key (PEM); absent, a self-signed one for istiod.<systemNamespace>.svc is made at start. */
  readonly webhookTls?: ServingCert;
  /**
   * In cluster mode with the webhook on: keep the caBundle (and, once the
   * webhook is seen to deny, failurePolicy Fail) of the
   * ValidatingWebhookConfigurations labelled istio.io/rev=<this>, as istiod
   * does. Default "default"; null leaves them alone.
   */
  readonly webhookRevision?: string | null;
  /** istiod's --revision: the mesh config is ConfigMap `istio-<revision>` (`istio` for "default" or none). */
  readonly revision?: string;
  /** How often those configurations are reconciled besides on watch events (ms); default 60000. */
  readonly webhookReconcileMs?: number;
  /** Plain-HTTP /ready, istiod's 8080. 0 picks a free port; null or absent turns it off (`tsiod serve` defaults to 8080). */
  readonly readinessPort?: number | null;
  readonly debounceAfterMs?: number;
  readonly debounceMaxMs?: number;
  /** The defaults the mesh config (ConfigMap `istio` or meshConfigFile) applies over. */
  readonly mesh?: MeshConfig;
  /** Where the ConfigMap `istio` (the mesh config) is read from; default istio-system. */
  readonly systemNamespace?: string;
  /** A MeshConfig YAML file (istiod's --meshConfig), read at start-up; the ConfigMap is then not read. */
  readonly meshConfigFile?: string;
  readonly logger?: Logger;
}

export interface RunningTsiod {
  /** The plaintext xDS port; null when turned off. */
  readonly xdsPort: number | null;
  /** The authenticated xDS + CA port (TLS, istiod's 15012); null without a CA. */
  readonly securePort: number | null;
  /** The CA's trust bundle (PEM roots, current first), to verify the secure port; empty without a CA. */
  readonly trustBundlePem: () => readonly string[];
  readonly monitoringPort: number | null;
  readonly webhookPort: number | null;
  /** PEM of the webhook's serving certificate, for a ValidatingWebhookConfiguration's caBundle (base64 of it); null without a webhook. */
  readonly webhookCaBundle: string | null;
  readonly readinessPort: number | null;
  /** The snapshot proxies are being served from. */
  readonly snapshot: () => MeshSnapshot;
  /** Prometheus registry, for tests that read counters directly. */
  readonly metrics: Registry;
  close(): Promise<void>;
}

export async function startTsiod(options: ServeOptions): Promise<RunningTsiod> {
  const logger = options.logger ?? createLogger();
  const mesh = options.mesh ?? DEFAULT_MESH_CONFIG;
  const host = options.host ?? '0.0.0.0';
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // The CA is made after the initial load (its trust domain is the mesh config's); the binding forwards to it from then on.
  const security = new SecurityBinding();
  const server = new XdsServer({
    generators: createGenerators({ workloadSecrets: security }),
    logger,
    observer: createXdsMetrics(registry, TSIOD_VERSION),
    domainSuffix: mesh.domainSuffix,
    authenticate: security.authenticate,
    identityStreams: security,
  });

  const validationMetrics = createValidationMetrics(registry);
  const sourceValidation = sourceValidationCounter(validationMetrics);
  const reportConfigError = (error: ConfigError): void => {
    sourceValidation.rejected(error);
    logger.warn({ source: error.source, kind: error.kind, name: error.name, namespace: error.namespace, path: error.path }, `invalid config, ignored: ${formatConfigError(error)}`);
  };

  let snapshot: MeshSnapshot | undefined;
  let rebuildAll = false;
  const onUpdate = (update: SourceUpdate): void => {
    sourceValidation.accepted(update.changes);
    debouncer.add(update.changes);
  };
  const meshConfig = createMeshConfigSource(
    {
      base: mesh,
      systemNamespace: options.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE,
      configMapName: meshConfigMapName(options.revision),
      meshConfigFile: options.meshConfigFile,
      // A new mesh config is a new snapshot: push as for any change (the mesh object differs, so it is a full push).
      onFileChange: () => debouncer.add({ added: new Set(), updated: new Set(), removed: new Set(), kinds: new Set(['ConfigMap']) }),
    },
    logger,
  );
  const source = createSource(options, registry, logger, reportConfigError, onUpdate);
  const analysis = new AnalysisReporter({ logger, mesh: () => meshConfig.current(source.store.objects()), objects: () => source.store.objects().values() });

  const pushChanges = async (changes: ChangeSet): Promise<void> => {
    analysis.schedule();
    // A mesh config change is a new mesh object: classifyChange makes it a full push.
    // Incremental from the last snapshot and what changed since; after a failed build, everything is re-read once.
    let next: MeshSnapshot;
    try {
      next = buildSnapshot({ mesh: meshConfig.current(source.store.objects()), objects: source.store.byKind() }, snapshot, rebuildAll ? undefined : changes);
      rebuildAll = false;
    } catch (err) {
      rebuildAll = true;
      throw err;
    }
    const request = classifyChange(changes, snapshot, next);
    if (isEmptyPush(request)) {
      logger.debug({ changes: changes.kinds.size }, 'config changed but nothing proxies see did');
      return;
    }
    snapshot = next;
    logger.info({ snapshot: next.id, full: request.full, namespaces: request.namespaces ? [...request.namespaces] : 'all', reasons: [...request.reasons], endpointHosts: [...request.endpointHosts].slice(0, 10), configs: [...request.configsUpdated].slice(0, 10) }, 'pushing');
    await server.push(next, request);
  };

  const debouncer = new Debouncer<ChangeSet>(
    { quietMs: options.debounceAfterMs ?? DEFAULT_DEBOUNCE.quietMs, maxMs: options.debounceMaxMs ?? DEFAULT_DEBOUNCE.maxMs },
    mergeChangeSets,
    (changes) => pushChanges(changes).catch((err: unknown) => logger.error({ err }, 'push failed')),
  );

  // Monitoring first: /metrics shows how the initial load goes, and /ready says no until it is done.
  const ready = (): boolean => snapshot !== undefined && source.synced();
  let monitoring: MonitoringServer | undefined;
  if (options.monitoringPort !== null) {
    monitoring = await startMonitoringServer(host, options.monitoringPort ?? 15014, {
      registry,
      ready,
      syncz: () => server.syncStatus(),
      // certz: identities with authenticated streams and their certificates' serials and expiry; never keys.
      debug: new Map([...snapshotDebugViews(() => snapshot), ['/debug/certz', () => security.tracked()]]),
    });
  }
  let webhook: { server: WebhookServer; cert: ServingCert } | undefined;
  let webhookConfig: WebhookConfigPatcher | undefined;
  let readiness: ReadinessServer | undefined;
  let securityRuntime: SecurityRuntime | undefined;
  // Stops whatever has been started (the rest is undefined or never started); a failed start and close() share it.
  const closeAll = async (): Promise<void> => {
    debouncer.close();
    analysis.close();
    await source.close();
    await meshConfig.close();
    await webhookConfig?.stop();
    await webhook?.server.close();
    await readiness?.close();
    await monitoring?.close();
    await server.close();
    await securityRuntime?.close();
  };
  let xdsPort: number | null = null;
  let securePort: number | null = null;
  try {
    // The webhook validates requests on their own, without the store: it serves before the initial load.
    if (options.webhookPort !== null && options.webhookPort !== undefined) {
      const cert = options.webhookTls ?? (await selfSignedServingCert({ dnsNames: istiodDnsNames(options.systemNamespace ?? 'istio-system'), ipAddresses: ['127.0.0.1'] }));
      webhook = { cert, server: await startWebhookServer({ host, port: options.webhookPort, cert, ready, observer: validationMetrics, logger }) };
      logger.info({ webhookPort: webhook.server.port, selfSigned: options.webhookTls === undefined }, 'validating webhook serving on /validate');
      const revision = options.webhookRevision === undefined ? (options.revision ?? 'default') : options.webhookRevision;
      // With a certificate given, its CA is the operator's to put in the configuration; tsiod only patches its own.
      if (options.kubernetes !== undefined && revision !== null && options.webhookTls === undefined) {
        const connection = options.kubernetes;
        webhookConfig = new WebhookConfigPatcher({
          kubeConfig: loadKubeConfig(connection.inCluster ? { inCluster: true } : { kubeconfig: connection.kubeconfig }),
          caBundlePem: webhook.cert.certPem,
          revision,
          namespace: options.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE,
          logger,
          ...(options.webhookReconcileMs !== undefined ? { intervalMs: options.webhookReconcileMs } : {}),
        });
        webhookConfig.start();
      }
    }
    if (options.readinessPort !== null && options.readinessPort !== undefined) readiness = await startReadinessServer(host, options.readinessPort, ready);
    const initial = await source.start();
    sourceValidation.accepted(initial.changes);
    // With no previous snapshot the change is always a full 'initial' push, so a snapshot exists from here on.
    await pushChanges(initial.changes);
    if (!snapshot) throw new Error('internal error: no snapshot after the initial load');
    if (options.securePort !== null && options.securePort !== undefined) {
      securityRuntime = await startSecurity({
        environment: securityEnvironment(options),
        options,
        trustDomain: meshConfig.current(source.store.objects()).trustDomain,
        systemNamespace: options.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE,
        ...(options.revision !== undefined ? { revision: options.revision } : {}),
        registry,
        logger,
        pushSecrets: (change) => server.pushSecrets(change),
      });
      security.attach(securityRuntime);
      securePort = await securityRuntime.listen(server, host, options.securePort);
    }
    if (options.xdsPort !== null) xdsPort = await server.listen(host, options.xdsPort ?? 15010);
  } catch (error) {
    await closeAll();
    throw error;
  }
  const from = options.configDir !== undefined ? { configDir: options.configDir } : { kubernetes: options.kubernetes.kubeconfig ?? 'in-cluster' };
  logger.info({ xdsPort, securePort, monitoringPort: monitoring?.port ?? null, webhookPort: webhook?.server.port ?? null, readinessPort: readiness?.port ?? null, services: snapshot.services.size, ...from }, 'tsiod ready');

  return {
    xdsPort,
    securePort,
    trustBundlePem: () => securityRuntime?.ca.authority.trustBundlePem() ?? [],
    monitoringPort: monitoring?.port ?? null,
    webhookPort: webhook?.server.port ?? null,
    webhookCaBundle: webhook?.cert.certPem ?? null,
    readinessPort: readiness?.port ?? null,
    snapshot: () => snapshot!,
    metrics: registry,
    close: closeAll,
  };
}

/** File mode keeps the CA in a state directory; cluster mode in Secrets of the system namespace, authenticating by TokenReview. */
function securityEnvironment(options: ServeOptions): SecurityEnvironment {
  if (options.kubernetes !== undefined) {
    const connection = options.kubernetes;
    return {
      kind: 'kubernetes',
      kubeConfig: loadKubeConfig(connection.inCluster ? { inCluster: true } : { kubeconfig: connection.kubeconfig }),
      systemNamespace: options.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE,
    };
  }
  return { kind: 'file', stateDir: options.stateDir ?? defaultStateDir(), ...(options.pluggedInCaDir !== undefined ? { pluggedInCaDir: options.pluggedInCaDir } : {}) };
}

function createSource(
  options: ServeOptions,
  registry: Registry,
  logger: Logger,
  onError: (error: ConfigError) => void,
  onUpdate: (update: SourceUpdate) => void,
): ConfigSource {
  if (options.configDir !== undefined && options.kubernetes !== undefined) throw new Error('serve reads a config directory or a cluster, not both');
  if (options.configDir !== undefined) return new DirectorySource({ directory: options.configDir, onError, onUpdate });
  const connection = options.kubernetes;
  const kubeConfig = loadKubeConfig(connection.inCluster ? { inCluster: true } : { kubeconfig: connection.kubeconfig });
  const { kubeconfig: _kubeconfig, inCluster: _inCluster, syncTimeoutMs, ...tuning } = connection;
  return new KubernetesSource({
    ...tuning,
    ...(syncTimeoutMs !== undefined ? { syncTimeoutMs } : {}),
    kubeConfig,
    kinds: kubeKinds(options.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE, meshConfigMapName(options.revision)),
    onError,
    onUpdate,
    observer: createKubernetesMetrics(registry, KUBE_KINDS.map((kind) => kind.kind)),
    logger,
  });
}
