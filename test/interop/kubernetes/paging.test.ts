/**
 * Lists page like client-go's reflector: with a page size smaller than the
 * number of objects, the source must follow the apiserver's continue tokens
 * to the last page (a source that stopped at the first page would miss most
 * Services), and a later re-list pages the same way and still reports what
 * was deleted. (A resync lists at its watched resourceVersion; the apiserver
 * refuses resourceVersionMatch beside a continue token, which this caught.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, service, waitFor, type SourceUnderTest } from './cluster.js';
import { KUBE_KINDS } from '../../../src/config/kubernetes/kind-table.js';

const COUNT = 23;
const PAGE = 4;

whenKubeEnvAvailable('paged lists', () => {
  describe('paged lists against a real kube-apiserver', () => {
    let env: KubeEnv;
    let cluster: Cluster;
    let under: SourceUnderTest | undefined;

    beforeAll(async () => {
      env = await startKubeEnv();
      cluster = new Cluster(env);
      await cluster.createNamespace('paged');
      for (let i = 0; i < COUNT; i++) await cluster.create(service('paged', `svc-${String(i).padStart(2, '0')}`));
    }, 120_000);

    afterAll(async () => {
      await under?.source.close();
      await env?.stop();
    });

    it(`lists ${COUNT} Services ${PAGE} at a time, every page`, async () => {
      under = createSource(env.kubeconfigPath, { listPageSize: PAGE, resyncMs: 300, kinds: KUBE_KINDS.filter((k) => k.kind === 'Service' || k.kind === 'Namespace') });
      await under.source.start();
      const names = [...under.source.store.objects().keys()].filter((k) => k.startsWith('Service/paged/'));
      expect(names).toHaveLength(COUNT);
    });

    it('re-lists page by page and reports Services deleted meanwhile', async () => {
      const u = under!;
      const relistsBefore = await u.metric('tsiod_k8s_relists_total', { kind: 'Service' });
      for (let i = 0; i < 5; i++) await cluster.delete(service('paged', `svc-${String(i).padStart(2, '0')}`));
      await waitFor('a periodic re-list after the deletions', async () => (await u.metric('tsiod_k8s_relists_total', { kind: 'Service' })) > relistsBefore + 1, 20_000, () => u.logs.text().slice(-3000));
      expect([...u.source.store.objects().keys()].filter((k) => k.startsWith('Service/paged/'))).toHaveLength(COUNT - 5);
    });
  });
});
