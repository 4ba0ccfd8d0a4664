/**
 * Lists page like client-go's reflector: with a page size smaller than the
 * number of objects, the source must follow the apiserver's continue tokens
 * to the last page (a source that stopped at the first page would miss most
 * Services), and a later re-list pages the same way and still reports what
 * was deleted. (A resync lists at its watched resourceVersion; the apiserver
 * refuses resourceVersionMatch beside a continue token, which this caught.)
 *
 * And a continue token that expires mid-list: etcd's history is compacted
 * between the first page and the second (the test sits between source and
 * apiserver to do it at that moment), the real apiserver answers the second
 * page 410 Expired, and the source lists again from the first page.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, createSourceFor, service, waitFor, type SourceUnderTest } from './cluster.js';
import { KUBE_KINDS } from '../../../src/config/kubernetes/kind-table.js';

const COUNT = 23;
const PAGE = 4;
const servicesOnly = KUBE_KINDS.filter((k) => k.kind === 'Service');

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

  describe('a continue token that expires mid-list', () => {
    let env: KubeEnv;
    let cluster: Cluster;
    let under: SourceUnderTest | undefined;
    let relay: http.Server | undefined;

    beforeAll(async () => {
      // Without the watch cache every page is read from etcd, so a token older than the compaction is refused for sure.
      env = await startKubeEnv({ watchCache: false });
      cluster = new Cluster(env);
      await cluster.createNamespace('paged');
      for (let i = 0; i < 10; i++) await cluster.create(service('paged', `svc-${i}`));
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- source log ----\n${under?.logs.text() ?? ''}\n${env.logs()}`);
    });

    afterAll(async () => {
      await under?.source.close();
      relay?.closeAllConnections();
      await new Promise((resolve) => relay?.close(resolve));
      await env?.stop();
    });

    it('lists again from the first page after the apiserver answers 410, and misses nothing', async () => {
      const seen: { continued: boolean; status: number }[] = [];
      let compacted = false;
      // Plain HTTP in, the admin's HTTPS out: the test sees each list request and its status, and acts between pages.
      const upstream = new URL(env.server);
      const ca = Buffer.from(env.kubeConfig.getCurrentCluster()?.caData ?? '', 'base64');
      const token = env.kubeConfig.getCurrentUser()?.token ?? '';
      relay = http.createServer((request, response) => {
        void (async () => {
          const url = new URL(request.url ?? '/', 'http://relay');
          const continued = url.searchParams.has('continue');
          if (continued && !compacted) {
            compacted = true;
            // A write past the token's revision, then compaction up to it: the token's revision is history now.
            await cluster.create(service('paged', 'born-between-pages'));
            await env.compactEtcd();
          }
          const forward = https.request(
            { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, ca, headers: { accept: 'application/json', authorization: `Bearer ${token}` } },
            (reply) => {
              if (url.searchParams.get('watch') !== '1') seen.push({ continued, status: reply.statusCode ?? 0 });
              response.writeHead(reply.statusCode ?? 502, reply.headers);
              reply.pipe(response);
            },
          );
          forward.on('error', () => response.destroy());
          request.on('close', () => forward.destroy());
          forward.end();
        })().catch(() => response.destroy());
      });
      await new Promise<void>((resolve) => relay!.listen(0, '127.0.0.1', resolve));
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'relay', server: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`, skipTLSVerify: true }],
        users: [{ name: 'admin' }],
        contexts: [{ name: 'relay', cluster: 'relay', user: 'admin' }],
        currentContext: 'relay',
      });

      under = createSourceFor(kubeConfig, { listPageSize: 3, kinds: servicesOnly });
      await under.source.start();
      expect(under.source.synced()).toBe(true);
      // First try: page one, then the expired second page; then the whole list again, every page fine.
      expect(seen.slice(0, 2)).toEqual([{ continued: false, status: 200 }, { continued: true, status: 410 }]);
      expect(seen[2]).toEqual({ continued: false, status: 200 });
      expect(seen.slice(2).every((page) => page.status === 200)).toBe(true);
      const names = [...under.source.store.objects().keys()].filter((k) => k.startsWith('Service/paged/')).sort();
      expect(names).toEqual([...Array.from({ length: 10 }, (_, i) => `Service/paged/svc-${i}`), 'Service/paged/born-between-pages'].sort());
      expect(under.logs.text()).toMatch(/a Service list page expired \(410\); listing again from the first page/);

      // The watch starts from the second list's resourceVersion and carries on.
      await cluster.delete(service('paged', 'svc-0'));
      await waitFor('the delete seen by the watch', () => under!.source.store.get('Service/paged/svc-0') === undefined);
    });
  });
});
