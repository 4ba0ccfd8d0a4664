/**
 * The same mesh read from a config directory and from a real kube-apiserver
 * gives the same snapshot: every object of test/fixtures/meshes/two-namespaces
 * is created in the cluster as written (Pod status through the status
 * subresource, as a kubelet would), and tsiod in cluster mode must end up
 * with the snapshot tsiod in file mode builds from the directory, compared
 * as serialised data without ids, sources and resourceVersions.
 */
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { serializeSnapshot, type SnapshotData } from '../../../src/model/serialize-snapshot.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, FAST_TUNING, installCrds, waitFor } from './cluster.js';

const MESH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/meshes/two-namespaces');

type Doc = KubernetesObject & { status?: Record<string, unknown> };

function meshDocuments(): Doc[] {
  const files = readdirSync(MESH_DIR).filter((f) => f.endsWith('.yaml')).sort();
  // Namespaces first, as a cluster needs them before anything in them.
  const docs = files.flatMap((f) => loadAllYaml(readFileSync(path.join(MESH_DIR, f), 'utf8')) as Doc[]);
  return [...docs.filter((d) => d.kind === 'Namespace'), ...docs.filter((d) => d.kind !== 'Namespace')];
}

const quiet = pino({ level: 'silent' });

whenKubeEnvAvailable('equal snapshots from a directory and from a cluster', () => {
  describe('equal snapshots from a directory and from a cluster', () => {
    let env: KubeEnv;
    let fromDirectory: RunningTsiod | undefined;
    let fromCluster: RunningTsiod | undefined;

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
      const cluster = new Cluster(env);
      const docs = meshDocuments();
      // Istio orders configs by creation time, then namespace and name; creating them in that order keeps the two sources' orders equal.
      docs.sort((a, b) => (a.kind === 'Namespace' ? -1 : b.kind === 'Namespace' ? 1 : 0) || compareNames(a, b));
      for (const doc of docs) {
        const { status, ...object } = doc;
        // loadAllYaml gives client-node model objects; plain JSON keeps custom resources' specs.
        await cluster.create(JSON.parse(JSON.stringify(object)) as KubernetesObject);
        if (doc.kind === 'Pod' && status) {
          const pod = await cluster.core.readNamespacedPod({ name: doc.metadata!.name!, namespace: doc.metadata!.namespace! });
          pod.status = JSON.parse(JSON.stringify(status));
          await cluster.core.replaceNamespacedPodStatus({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: pod });
        }
      }
      fromDirectory = await startTsiod({ configDir: MESH_DIR, host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 10, logger: quiet });
      fromCluster = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 10, logger: quiet,
      });
    }, 180_000);

    afterAll(async () => {
      await fromCluster?.close();
      await fromDirectory?.close();
      await env?.stop();
    });

    it('the directory mesh is what the fixture says (a non-trivial comparison)', () => {
      const data = serializeSnapshot(fromDirectory!.snapshot(), { contentOnly: true });
      expect(data.mesh).toMatchObject({ trustDomain: 'example.org', outboundTrafficPolicy: 'REGISTRY_ONLY' });
      expect(data.services.map((s) => s.hostname)).toEqual(['api.payments.example', 'reviews.bookstore.svc.cluster.local', 'storefront.shop.svc.cluster.local']);
      expect(data.endpoints['reviews.bookstore.svc.cluster.local']!.map((e) => [e.address, e.port, e.ready])).toEqual([
        ['10.10.0.7', 7080, true],
        ['10.244.1.11', 9080, true],
        ['10.244.1.12', 9080, false],
        // The WorkloadEntry names no port for grpc-admin, so it is reached on the Service's targetPort (Istio's rule).
        ['10.10.0.7', 19090, true],
        ['10.244.1.11', 19090, true],
        ['10.244.1.12', 19090, false],
      ]);
      const counts = (d: SnapshotData): number[] => [d.virtualServices.length, d.destinationRules.length, d.gateways.length, d.sidecars.length, d.peerAuthentications.length, d.authorizationPolicies.length, d.requestAuthentications.length];
      expect(counts(data)).toEqual([1, 2, 1, 2, 2, 1, 1]);
    });

    it('the cluster gives the same snapshot', async () => {
      const expected = serializeSnapshot(fromDirectory!.snapshot(), { contentOnly: true });
      // Every apiserver serves itself as Service default/kubernetes; that one object is the cluster's own, not the fixture's.
      const actual = (): SnapshotData => withoutApiserverService(serializeSnapshot(fromCluster!.snapshot(), { contentOnly: true }));
      await waitFor('the cluster snapshot to match the directory one', () => isDeepStrictEqual(actual(), expected), 30_000).catch(() => undefined);
      expect(actual()).toEqual(expected);
    }, 60_000);

    it('and the same lookups: a shop client sees its own DestinationRule for reviews, others the bookstore one', () => {
      for (const tsiod of [fromDirectory!, fromCluster!]) {
        const indexes = tsiod.snapshot().indexes;
        expect(indexes.destinationRuleFor('shop', 'reviews.bookstore.svc.cluster.local', 'bookstore')?.from).toEqual(['shop/reviews-for-shop']);
        expect(indexes.destinationRuleFor('default', 'reviews.bookstore.svc.cluster.local', 'bookstore')?.from).toEqual(['bookstore/reviews']);
        expect(indexes.virtualServicesForGateway('default', 'shop/storefront').map((v) => v.meta.name)).toEqual(['reviews']);
        expect(indexes.policiesFor('PeerAuthentication', 'bookstore', { app: 'reviews' }).map((p) => `${p.meta.namespace}/${p.meta.name}`)).toEqual([
          'istio-system/default',
          'bookstore/reviews-strict',
        ]);
      }
    });
  });
});

function compareNames(a: KubernetesObject, b: KubernetesObject): number {
  const key = (o: KubernetesObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

const APISERVER_HOST = 'kubernetes.default.svc.cluster.local';

function withoutApiserverService(data: SnapshotData): SnapshotData {
  const { [APISERVER_HOST]: _apiserver, ...endpoints } = data.endpoints;
  return { ...data, services: data.services.filter((s) => s.hostname !== APISERVER_HOST), endpoints };
}
