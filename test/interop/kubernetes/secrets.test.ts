/**
 * Secrets from a real apiserver: the source reads them as istiod does,
 * through a field selector that leaves out service-account tokens (and Helm
 * release records), and follows changes.
 *
 * A malformed TLS Secret is stored as it is, as istiod's credentials
 * controller stores it: the apiserver checks only that a kubernetes.io/tls
 * Secret has tls.crt and tls.key, and the content matters where a Gateway
 * uses it. `tsiod serve`'s analysis says so there (IST0161), naming the
 * Gateway, never the data.
 */
import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTsiod } from '../../../src/cli/serve.js';
import { selfSignedServingCert } from '../../../src/webhook/serving-cert.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, FAST_TUNING, installCrds, waitFor, type SourceUnderTest } from './cluster.js';

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
      // Not PEM, but not invalid config either: nothing reported.
      expect(u.errors).toEqual([]);
    });

    it('is refused by the apiserver only without tls.crt or tls.key, whatever they hold', async () => {
      const error = await cluster.create({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'no-key', namespace: 'istio-system' }, data: { 'tls.crt': B64 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiException);
      expect((error as ApiException<unknown>).code).toBe(422);
      expect(String((error as ApiException<unknown>).body)).toContain('tls.key');
    });

    it('serve analysis reports a Gateway whose Secret is not a usable certificate, when it breaks and again when it breaks anew', async () => {
      const logs = new LogBuffer();
      await cluster.createNamespace('web');
      await cluster.create({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ingress-1', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
        spec: { containers: [{ name: 'istio-proxy', image: 'istio/proxyv2' }] },
      });
      const webCert = tlsSecret('web-cert');
      await cluster.create(webCert);
      const gateway = (name: string, credentialName: string): KubernetesObject & Record<string, unknown> => ({
        apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'web' },
        spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName }, hosts: [`${name}.example.com`] }] },
      });
      await cluster.create(gateway('web', 'web-cert'));
      const invalid = 'Error [IST0161] (Gateway web/web) The credential referenced by the Gateway web in namespace istio-system is invalid';
      const count = (text: string): number => logs.text().split(text).length - 1;
      const tsiod = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      try {
        await waitFor('IST0161 for the Gateway', () => count(invalid) === 1, 20_000, () => logs.text());

        // Fixed: a certificate and its key. A later change's analysis (a new message) proves the fix was seen: no IST0161 then.
        const good = await selfSignedServingCert({ dnsNames: ['web.example.com'] });
        await cluster.update(webCert, (current) => {
          (current as typeof webCert).data = { 'tls.crt': Buffer.from(good.certPem).toString('base64'), 'tls.key': Buffer.from(good.keyPem).toString('base64') };
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        await cluster.create(gateway('probe', 'no-such-cert'));
        await waitFor('the analysis after the fix', () => logs.text().includes('Referenced credentialName not found: \\"no-such-cert\\"'), 20_000, () => logs.text());
        // Broken anew, an expired certificate this time: reported again.
        const old = await selfSignedServingCert({ dnsNames: ['web.example.com'], now: new Date(Date.now() - 2 * 365 * 24 * 3600_000) });
        await cluster.update(webCert, (current) => {
          (current as typeof webCert).data = { 'tls.crt': Buffer.from(old.certPem).toString('base64'), 'tls.key': Buffer.from(old.keyPem).toString('base64') };
        });
        await waitFor('IST0161 again', () => count(invalid) === 2, 20_000, () => logs.text());
        const text = logs.text();
        for (const secret of [good.keyPem, old.keyPem]) expect(text).not.toContain(secret.split('\n')[1]);
        expect(text).not.toContain(B64);
      } finally {
        await tsiod.close();
      }
    });
  });
});
