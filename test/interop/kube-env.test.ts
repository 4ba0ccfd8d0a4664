/**
 * The test Kubernetes API server does what the Kubernetes source suites rely
 * on: it serves writes, survives a restart with its data, its proxy can be
 * cut, and with the watch cache off a watch resumed at a compacted revision
 * ends in 410 Gone (the "watch expiry" the source must recover from).
 */
import { CoreV1Api, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../helpers/kube-env.js';

whenKubeEnvAvailable('kube-env (etcd + kube-apiserver)', () => {
  describe('kube-env: a real etcd and kube-apiserver on 127.0.0.1', () => {
    let env: KubeEnv | undefined;

    beforeAll(async () => {
      env = await startKubeEnv({ watchCache: false });
    }, 90_000);

    afterAll(async () => {
      await env?.stop();
    });

    function started(): KubeEnv {
      if (!env) throw new Error('kube-env did not start');
      return env;
    }

    it('serves writes and keeps them across an apiserver restart', async () => {
      const kube = started();
      const core = kube.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: 'survives-restart' } } });
      await kube.restartApiserver();
      const back = await core.readNamespace({ name: 'survives-restart' });
      expect(back.metadata?.name).toBe('survives-restart');
    }, 90_000);

    it('ends a watch resumed at a compacted revision with 410 Gone', async () => {
      const kube = started();
      const core = kube.kubeConfig.makeApiClient(CoreV1Api);
      const list = await core.listNamespace();
      const staleVersion = list.metadata?.resourceVersion;
      expect(staleVersion, 'a list carries a resourceVersion').toBeTruthy();
      for (const name of ['after-1', 'after-2', 'after-3']) await core.createNamespace({ body: { metadata: { name } } });
      const compactedTo = await kube.compactEtcd();
      expect(compactedTo).toBeGreaterThan(Number(staleVersion));

      const outcome = await new Promise<{ code?: number; reason?: string; error?: string }>((resolve) => {
        const watch = new Watch(kube.kubeConfig);
        void watch
          .watch(
            '/api/v1/namespaces',
            { resourceVersion: staleVersion },
            (phase: string, object: { code?: number; reason?: string }) => {
              if (phase === 'ERROR') resolve({ ...(object.code === undefined ? {} : { code: object.code }), ...(object.reason === undefined ? {} : { reason: object.reason }) });
            },
            (error: unknown) => resolve({ error: String(error) }),
          )
          .catch((error: unknown) => resolve({ error: String(error) }));
      });
      expect(outcome, kube.logs()).toMatchObject({ code: 410, reason: 'Expired' });
    }, 60_000);

    it('refuses connections through its proxy while cut, and serves again once restored', async () => {
      const kube = started();
      const { KubeConfig } = await import('@kubernetes/client-node');
      const proxied = new KubeConfig();
      proxied.loadFromFile(kube.proxiedKubeconfigPath);
      const core = proxied.makeApiClient(CoreV1Api);
      await expect(core.readNamespace({ name: 'default' })).resolves.toBeTruthy();
      await kube.cutProxy();
      await expect(core.readNamespace({ name: 'default' })).rejects.toThrow();
      await kube.restoreProxy();
      await expect(core.readNamespace({ name: 'default' })).resolves.toBeTruthy();
    }, 60_000);
  });
});
