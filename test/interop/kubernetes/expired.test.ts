/**
 * 410 Gone: when a partition outlasts etcd's history (compacted while the
 * source was cut off), its watch cannot resume; it re-lists, and the re-list
 * reports what changed and what was deleted in between, with lists paged
 * smaller than the collection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, service, waitFor, type SourceUnderTest } from './cluster.js';

whenKubeEnvAvailable('Kubernetes source: 410 Gone', () => {
  describe('Kubernetes source: 410 Gone', () => {
    let env: KubeEnv;
    let under: SourceUnderTest | undefined;

    beforeAll(async () => {
      // Without the watch cache, a watch resumed at a compacted revision is refused by etcd itself: a sure 410.
      env = await startKubeEnv({ watchCache: false });
    }, 120_000);

    afterAll(async () => {
      await under?.source.close();
      await env?.stop();
    });

    it('re-lists after the watch expired, counts it, and converges, deletes included', async () => {
      const cluster = new Cluster(env);
      const ns = 'expiry';
      await cluster.createNamespace(ns);
      await cluster.create(service(ns, 'kept'));
      await cluster.create(service(ns, 'doomed'));
      // Two Services a page: the re-list's diff must hold across pages.
      under = createSource(env.proxiedKubeconfigPath, { listPageSize: 2 });
      const u = under;
      try {
        await u.source.start();
        expect(await u.metric('tsiod_k8s_relists_total', { kind: 'Service' })).toBe(0);

        await env.cutProxy();
        await cluster.delete(service(ns, 'doomed'));
        await cluster.create(service(ns, 'born'));
        await cluster.update(service(ns, 'kept'), (current) => {
          (current as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels['rev'] = '2';
        });
        await env.compactEtcd();
        await waitFor('the source to see the partition', async () => (await u.metric('tsiod_k8s_watch_restarts_total', { kind: 'Service', reason: 'error' })) >= 1);
        await env.restoreProxy();

        await waitFor('the store to converge after the re-list', () => {
          const store = u.source.store;
          return store.get('Service/expiry/doomed') === undefined && store.get('Service/expiry/born') !== undefined && store.get('Service/expiry/kept')?.metadata.labels['rev'] === '2';
        }, 30_000);
        expect(await u.metric('tsiod_k8s_relists_total', { kind: 'Service' })).toBeGreaterThanOrEqual(1);
        expect(await u.metric('tsiod_k8s_watch_restarts_total', { kind: 'Service', reason: 'expired' })).toBeGreaterThanOrEqual(1);
        // The re-list is one batch: the delete it discovered arrives with the add and the update.
        const relisted = u.updates.find((update) => update.changes.removed.has('Service/expiry/doomed'));
        expect(relisted?.changes.added.has('Service/expiry/born')).toBe(true);
        expect(relisted?.changes.updated.has('Service/expiry/kept')).toBe(true);
        expect(u.logs.text()).toMatch(/re-listed Service \(expired\)/);
        expect(u.source.synced()).toBe(true);
      } catch (error) {
        console.error(`---- source log ----\n${u.logs.text()}\n${env.logs()}`);
        throw error;
      }
    });
  });
});
