/**
 * Istio's CRDs may be installed after tsiod starts: a kind whose API is not
 * served is reported once, does not hold up start-up or readiness, and is
 * picked up when its CRD appears.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, installCrds, waitFor, type SourceUnderTest } from './cluster.js';

const SECURITY_KINDS = ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'];

whenKubeEnvAvailable('Kubernetes source: missing CRDs', () => {
  describe('Kubernetes source: missing CRDs', () => {
    let env: KubeEnv;
    let under: SourceUnderTest | undefined;

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig, 'networking.istio.io');
    }, 120_000);

    afterAll(async () => {
      await under?.source.close();
      await env?.stop();
    });

    it('starts without the security.istio.io CRDs, says so once, and reads them once installed', async () => {
      const cluster = new Cluster(env);
      await cluster.createNamespace('mesh');
      under = createSource(env.kubeconfigPath, { missingRecheckMs: 300 });
      const u = under;
      try {
        await u.source.start();
        expect(u.source.synced()).toBe(true);
        const phases = Object.fromEntries(u.source.status().map((s) => [s.kind, s.phase]));
        for (const kind of SECURITY_KINDS) expect(phases[kind], kind).toBe('missing');
        expect(phases['VirtualService']).toBe('synced');
        expect(await u.metric('tsiod_k8s_synced', { kind: 'AuthorizationPolicy' })).toBe(0);
        expect(await u.metric('tsiod_k8s_synced', { kind: 'VirtualService' })).toBe(1);

        // Several re-checks later, still one line per missing kind.
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        const notServed = u.logs.text().split('\n').filter((line) => line.includes('security.istio.io/v1 authorizationpolicies is not served'));
        expect(notServed).toHaveLength(1);
        expect(notServed[0]).toMatch(/CRD not installed/);

        await installCrds(env.kubeConfig, 'security.istio.io');
        await cluster.create({
          apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy',
          metadata: { name: 'allow-all', namespace: 'mesh' }, spec: { action: 'ALLOW', rules: [{}] },
        } as never);
        await waitFor('the AuthorizationPolicy served', () => u.source.store.get('AuthorizationPolicy/mesh/allow-all') !== undefined, 20_000, () => u.logs.text());
        expect(u.updates.some((update) => update.changes.added.has('AuthorizationPolicy/mesh/allow-all'))).toBe(true);
        await waitFor('every security kind synced', async () => {
          for (const kind of SECURITY_KINDS) if ((await u.metric('tsiod_k8s_synced', { kind })) !== 1) return false;
          return true;
        });
        expect(u.logs.text()).toContain('security.istio.io/v1 authorizationpolicies is served now');
      } catch (error) {
        console.error(`---- source log ----\n${u.logs.text()}\n${env.logs()}`);
        throw error;
      }
    });
  });
});
