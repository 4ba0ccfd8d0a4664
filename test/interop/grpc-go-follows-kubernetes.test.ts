/**
 * tsiod in cluster mode against a real kube-apiserver, routing grpc-go's real
 * xDS client to grpc-go's interop servers:
 *
 * 1. A Service and the workloads behind it, created through the API, reach
 *    the client, which follows a scale-up and a scale-down.
 * 2. tsiod keeps serving through a kube-apiserver restart, then catches up.
 * 3. A partition long enough for etcd to compact the revision tsiod was
 *    watching from ends in 410 Gone; tsiod re-lists, sees what was added and
 *    deleted meanwhile, and pushes only that: the client's xDS stream is
 *    never dropped (no reconnect storm) and no RPC fails.
 *
 * The workloads are WorkloadEntries the Service selects (Istio's way of
 * putting VMs behind a Kubernetes Service), not Pods with EndpointSlices:
 * kube-apiserver rejects loopback addresses in EndpointSlices ("may not be in
 * the loopback range"), and test traffic goes to 127.0.0.1 only. The
 * EndpointSlice path against the same apiserver is covered at the source and
 * snapshot level by test/interop/kubernetes/.
 *
 * tsiod talks to the apiserver through kube-env's cuttable proxy; the test
 * writes directly, so its writes go on during a partition.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';
import { startGrpcGoBackends, type GrpcGoBackends } from '../helpers/grpc-go-backends.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../helpers/kube-env.js';
import { LogBuffer } from '../helpers/log-buffer.js';
import { startGrpcGoDriver } from './drivers/grpc-go-driver.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { installCrds } from './kubernetes/cluster.js';
import { awaitTraffic, onlyAnsweredBy } from './scenarios/await-traffic.js';
import type { TrafficDriver } from './scenarios/traffic-driver.js';
import { plaintextXdsPort } from '../helpers/tsiod-under-test.js';

const NAMESPACE = 'default';
const SERVICE = 'reviews';
const SERVICE_PORT = 9080;
const PODS = ['reviews-0', 'reviews-1', 'reviews-2'] as const;
const ADDRESS = '127.0.0.1';
/** Generous: this is about following changes at all, not speed (that is the bench's job). */
const FOLLOW_WITHIN_MS = 20_000;
const WORKLOAD_ENTRY = { group: 'networking.istio.io', version: 'v1', plural: 'workloadentries' } as const;

class MeshWriter {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly backends: GrpcGoBackends,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async createService(): Promise<void> {
    await this.core.createNamespacedService({
      namespace: NAMESPACE,
      body: {
        metadata: { name: SERVICE, labels: { app: SERVICE } },
        spec: { selector: { app: SERVICE }, ports: [{ name: 'grpc', port: SERVICE_PORT, targetPort: 'grpc', protocol: 'TCP' }] },
      },
    });
  }

  /** A workload behind the Service: its named port "grpc" is where its grpc-go server listens. */
  async addWorkload(name: string): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...WORKLOAD_ENTRY,
      namespace: NAMESPACE,
      body: {
        apiVersion: `${WORKLOAD_ENTRY.group}/${WORKLOAD_ENTRY.version}`,
        kind: 'WorkloadEntry',
        metadata: { name },
        spec: { address: ADDRESS, ports: { grpc: this.backends.portOf(name) }, labels: { app: SERVICE, instance: name } },
      },
    });
  }

  async removeWorkload(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...WORKLOAD_ENTRY, namespace: NAMESPACE, name });
  }
}

async function counterValue(registry: Registry, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  if (!metric) throw new Error(`tsiod does not register ${name}`);
  return metric.values
    .filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

const suiteName = 'grpc-go follows a real Kubernetes API server through tsiod';
whenKubeEnvAvailable(suiteName, () =>
  whenPeersProvisioned(suiteName, ['grpc-go-xds-client', 'grpc-go-xds-server'], () => {
    describe(suiteName, () => {
      let env: KubeEnv | undefined;
      let backends: GrpcGoBackends | undefined;
      let tsiod: RunningTsiod | undefined;
      let driver: TrafficDriver | undefined;
      let mesh: MeshWriter | undefined;
      const logs = new LogBuffer();

      function started(): { env: KubeEnv; tsiod: RunningTsiod; driver: TrafficDriver; mesh: MeshWriter } {
        if (!env || !tsiod || !driver || !mesh) throw new Error('suite setup did not complete');
        return { env, tsiod, driver, mesh };
      }

      function diagnostics(reason: string): void {
        const parts = [`==== ${suiteName}: ${reason} ====`];
        if (driver) parts.push(`---- ${driver.description} xDS trace ----\n${driver.recentLogs()}`);
        parts.push(`---- tsiod log ----\n${logs.text()}`);
        if (env) parts.push(env.logs());
        console.error(parts.join('\n'));
      }

      beforeAll(async () => {
        try {
          // Without the watch cache, a watch resumed at a compacted revision is answered 410 Gone.
          env = await startKubeEnv({ watchCache: false });
          backends = await startGrpcGoBackends(PODS);
          await installCrds(env.kubeConfig, WORKLOAD_ENTRY.group);
          mesh = new MeshWriter(env.kubeConfig, backends);
          await mesh.createService();
          await mesh.addWorkload('reviews-0');
          const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
          tsiod = await startTsiod({
            kubernetes: { kubeconfig: env.proxiedKubeconfigPath, backoff: { initialMs: 100, maxMs: 1_000, jitter: 0.2 } },
            host: '127.0.0.1',
            xdsPort: 0,
            monitoringPort: 0,
            logger,
          });
          driver = await startGrpcGoDriver(`xds:///${SERVICE}:${SERVICE_PORT}`, { xdsPort: plaintextXdsPort(tsiod), nodeId: 'tsiod-k8s-grpc-go', namespace: NAMESPACE });
          await awaitTraffic(driver, onlyAnsweredBy(['reviews-0']), { withinMs: FOLLOW_WITHIN_MS, batchRpcs: 20, what: 'answered by reviews-0' });
        } catch (error) {
          diagnostics(`setup failed: ${(error as Error).message}`);
          throw error;
        }
      }, 120_000);

      afterAll(async () => {
        await driver?.close();
        await tsiod?.close();
        await backends?.stop();
        await env?.stop();
      });

      beforeEach(({ onTestFailed }) => {
        onTestFailed(() => diagnostics('test failed'));
      });

      it('follows a scale-up from one workload to three', async () => {
        const { driver, mesh } = started();
        await mesh.addWorkload('reviews-1');
        await mesh.addWorkload('reviews-2');
        const converged = await awaitTraffic(driver, (b) => b.failures === 0 && PODS.every((p) => (b.byBackend[p] ?? 0) > 0), {
          withinMs: FOLLOW_WITHIN_MS,
          batchRpcs: 150,
          what: 'answered by all three workloads',
        });
        expect(converged.seenOnTheWay.failures).toBe(0);
      }, 60_000);

      it('follows a scale-down back to one workload', async () => {
        const { driver, mesh } = started();
        await mesh.removeWorkload('reviews-1');
        await mesh.removeWorkload('reviews-2');
        const converged = await awaitTraffic(driver, onlyAnsweredBy(['reviews-0']), { withinMs: FOLLOW_WITHIN_MS, what: 'answered by reviews-0 only' });
        expect(converged.seenOnTheWay.failures).toBe(0);
        const after = await driver.sendBatch(200);
        expect(after).toMatchObject({ failures: 0, byBackend: { 'reviews-0': 200 } });
      }, 60_000);

      it('keeps serving through a kube-apiserver restart and catches up after it', async () => {
        const { env, tsiod, driver, mesh } = started();
        const connectionsBefore = await counterValue(tsiod.metrics, 'tsiod_xds_connections_total');
        const restartsBefore = await counterValue(tsiod.metrics, 'tsiod_k8s_watch_restarts_total');

        // RPCs keep flowing while the apiserver is down: the data plane never depends on it.
        const during = driver.sendBatch(400);
        await env.restartApiserver();
        expect((await during).failures).toBe(0);

        await mesh.addWorkload('reviews-1');
        await awaitTraffic(driver, (b) => b.failures === 0 && (b.byBackend['reviews-1'] ?? 0) > 0 && (b.byBackend['reviews-0'] ?? 0) > 0, {
          withinMs: FOLLOW_WITHIN_MS,
          batchRpcs: 100,
          what: 'answered by the workload added after the restart',
        });
        expect(await counterValue(tsiod.metrics, 'tsiod_k8s_watch_restarts_total'), 'the restart broke tsiod\'s watches').toBeGreaterThan(restartsBefore);
        expect(await counterValue(tsiod.metrics, 'tsiod_xds_connections_total'), 'xDS clients stayed connected').toBe(connectionsBefore);
      }, 90_000);

      it('re-lists after a watch expires (410 Gone) and converges, deletions included, without dropping xDS streams', async () => {
        const { env, tsiod, driver, mesh } = started();
        const connectionsBefore = await counterValue(tsiod.metrics, 'tsiod_xds_connections_total');
        const relistsBefore = await counterValue(tsiod.metrics, 'tsiod_k8s_relists_total', { kind: 'WorkloadEntry' });
        const expiredBefore = await counterValue(tsiod.metrics, 'tsiod_k8s_watch_restarts_total', { kind: 'WorkloadEntry', reason: 'expired' });
        const cdsPushesBefore = await counterValue(tsiod.metrics, 'pilot_xds_pushes', { type: 'cds' });

        await env.cutProxy();
        // Changes tsiod cannot see: reviews-1 goes away, reviews-2 comes; then the history is compacted.
        await mesh.removeWorkload('reviews-1');
        await mesh.addWorkload('reviews-2');
        await env.compactEtcd();
        await env.restoreProxy();

        const converged = await awaitTraffic(
          driver,
          (b) => onlyAnsweredBy(['reviews-0', 'reviews-2'])(b) && (b.byBackend['reviews-2'] ?? 0) > 0,
          { withinMs: FOLLOW_WITHIN_MS, batchRpcs: 100, what: 'answered by reviews-0 and reviews-2 only' },
        );
        expect(converged.seenOnTheWay.failures).toBe(0);
        expect(await counterValue(tsiod.metrics, 'tsiod_k8s_watch_restarts_total', { kind: 'WorkloadEntry', reason: 'expired' })).toBeGreaterThan(expiredBefore);
        expect(await counterValue(tsiod.metrics, 'tsiod_k8s_relists_total', { kind: 'WorkloadEntry' })).toBeGreaterThan(relistsBefore);
        expect(await counterValue(tsiod.metrics, 'tsiod_xds_connections_total'), 'xDS clients stayed connected').toBe(connectionsBefore);
        // Endpoints changed, clusters did not: the catch-up is an EDS push, not a full one.
        expect(await counterValue(tsiod.metrics, 'pilot_xds_pushes', { type: 'cds' })).toBe(cdsPushesBefore);
      }, 90_000);
    });
  }),
);
