/**
 * Secrets from a real apiserver: the source reads them as istiod does,
 * through a field selector that leaves out service-account tokens (and Helm
 * release records), and follows changes.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, installCrds, waitFor, type SourceUnderTest } from './cluster.js';

const B64 = Buffer.from('not a real key').toString('base64');

const tlsSecret = (name: string): KubernetesObject & Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'istio-system' },
  type: 'kubernetes.io/tls', data: { 'tls.crt': B64, 'tls.key': B64 },
});

whenKubeEnvAvailable('Secrets for Gateways', () => {
  describe('Secrets for Gateways', () => {
    let env: KubeEnv;
    let cluster: Cluster;
    let under: SourceUnderTest | undefined;

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
      cluster = new Cluster(env);
      await cluster.createNamespace('istio-system');
      await cluster.create(tlsSecret('ingress-cert'));
      await cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'generic-cert', namespace: 'istio-system' }, type: 'Opaque', data: { cert: B64, key: B64, cacert: B64 } });
      await cluster.create({
        apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
        metadata: { name: 'default-token', namespace: 'istio-system', annotations: { 'kubernetes.io/service-account.name': 'default' } },
      });
      await cluster.create({ apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: 'sh.helm.release.v1.istio.v1', namespace: 'istio-system' }, data: { release: B64 } });
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`${under?.logs.text() ?? ''}\n${env.logs()}`);
    });

    afterAll(async () => {
      await under?.source.close();
      await env?.stop();
    });

    it('stores tls and generic Secrets, never service-account tokens or Helm releases, and follows changes', async () => {
      under = createSource(env.kubeconfigPath);
      const u = under;
      await u.source.start();
      const secrets = (): string[] => [...u.source.store.objects().keys()].filter((key) => key.startsWith('Secret/')).sort();
      expect(secrets()).toEqual(['Secret/istio-system/generic-cert', 'Secret/istio-system/ingress-cert']);
      const stored = u.source.store.get('Secret/istio-system/ingress-cert');
      expect(stored?.content).toMatchObject({ type: 'kubernetes.io/tls', data: { 'tls.crt': B64, 'tls.key': B64 } });

      await cluster.create(tlsSecret('added-cert'));
      await cluster.create({
        apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
        metadata: { name: 'later-token', namespace: 'istio-system', annotations: { 'kubernetes.io/service-account.name': 'default' } },
      });
      await waitFor('the added Secret', () => secrets().includes('Secret/istio-system/added-cert'));
      await cluster.delete(tlsSecret('ingress-cert'));
      await waitFor('the deleted Secret gone', () => !secrets().includes('Secret/istio-system/ingress-cert'));
      expect(secrets()).toEqual(['Secret/istio-system/added-cert', 'Secret/istio-system/generic-cert']);
      // The data never reaches the log.
      expect(u.logs.text()).not.toContain(B64);
    });
  });
});
