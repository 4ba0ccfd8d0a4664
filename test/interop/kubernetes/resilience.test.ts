/**
 * The source outlives its apiserver connection: after kube-apiserver
 * restarts, and after a network partition during which objects changed and
 * were deleted, it resumes and the store converges on the cluster's state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, installCrds, pod, service, virtualService, waitFor, type SourceUnderTest } from './cluster.js';

whenKubeEnvAvailable('Kubernetes source: restarts and partitions', () => {
  describe('Kubernetes source: restarts and partitions', () => {
    let env: KubeEnv;
    let cluster: Cluster;
    let under: SourceUnderTest | undefined;

    beforeAll(async () => {
      env = await startKubeEnv();
      cluster = new Cluster(env);
      await installCrds(env.kubeConfig, 'networking.istio.io');
    }, 120_000);

    afterEach(async (context) => {
      await env.restoreProxy();
      if (context.task.result?.state === 'fail' && under) console.error(`---- source log ----\n${under.logs.text()}\n${env.logs()}`);
      await under?.source.close();
      under = undefined;
    });

    afterAll(async () => {
      await env?.stop();
    });

    it('resumes after kube-apiserver restarts and sees what changed since', async () => {
      const ns = 'restart';
      await cluster.createNamespace(ns);
      await cluster.create(service(ns, 'a'));
      await cluster.create(service(ns, 'b'));
      under = createSource(env.kubeconfigPath);
      const u = under;
      await u.source.start();
      expect(u.source.store.get('Service/restart/b')).toBeDefined();

      await env.restartApiserver();
      await cluster.delete(service(ns, 'b'));
      await cluster.create(service(ns, 'c'));
      await cluster.update(service(ns, 'a'), (current) => {
        (current as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels['rev'] = '2';
      });

      await waitFor('the store to converge after the restart', () => {
        const store = u.source.store;
        return store.get('Service/restart/b') === undefined && store.get('Service/restart/c') !== undefined && store.get('Service/restart/a')?.metadata.labels['rev'] === '2';
      }, 30_000);
      expect(u.updates.some((update) => update.changes.removed.has('Service/restart/b'))).toBe(true);
      const restarts = (await u.metric('tsiod_k8s_watch_restarts_total', { kind: 'Service', reason: 'error' })) + (await u.metric('tsiod_k8s_watch_restarts_total', { kind: 'Service', reason: 'closed' }));
      expect(restarts).toBeGreaterThanOrEqual(1);
      expect(u.source.synced()).toBe(true);
    });

    it('resumes after a partition and reports the deletes it missed', async () => {
      const ns = 'partition';
      await cluster.createNamespace(ns);
      await cluster.create(service(ns, 'kept'));
      await cluster.create(service(ns, 'doomed'));
      await cluster.create(pod(ns, 'doomed-1', 'doomed'));
      await cluster.create(virtualService(ns, 'routes', ['kept']));
      under = createSource(env.proxiedKubeconfigPath);
      const u = under;
      await u.source.start();
      expect(u.source.store.get('Pod/partition/doomed-1')).toBeDefined();

      await env.cutProxy();
      await cluster.delete(service(ns, 'doomed'));
      await cluster.delete(pod(ns, 'doomed-1', 'doomed'));
      await cluster.delete(virtualService(ns, 'routes', []));
      await cluster.create(service(ns, 'born'));
      // The source notices the cut and retries against a closed door for a while.
      await waitFor('the source to see the partition', async () => (await u.metric('tsiod_k8s_watch_restarts_total', { kind: 'Service', reason: 'error' })) >= 1);
      expect(u.source.store.get('Service/partition/doomed')).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await env.restoreProxy();

      await waitFor('the store to converge after the partition', () => {
        const store = u.source.store;
        return (
          store.get('Service/partition/doomed') === undefined &&
          store.get('Pod/partition/doomed-1') === undefined &&
          store.get('VirtualService/partition/routes') === undefined &&
          store.get('Service/partition/born') !== undefined
        );
      }, 30_000);
      expect(u.source.store.get('Service/partition/kept')).toBeDefined();
      const removed = new Set(u.updates.flatMap((update) => [...update.changes.removed]));
      expect(removed).toEqual(new Set(['Service/partition/doomed', 'Pod/partition/doomed-1', 'VirtualService/partition/routes']));
    });
  });
});
