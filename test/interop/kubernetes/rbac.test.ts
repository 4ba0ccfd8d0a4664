/**
 * deploy/rbac.yaml on a real apiserver with RBAC on: the source, running as
 * the tsiod service account, syncs every kind; the webhook-configuration
 * patcher, as that account, keeps deploy/webhook.yaml's caBundle; and the
 * account can do nothing beyond reading those kinds, updating
 * ValidatingWebhookConfigurations and dry-running a Gateway in istio-system
 * (and the CA's grants, which ca-rbac.test.ts runs all of tsiod under).
 */
import { AdmissionregistrationV1Api, AuthorizationV1Api, KubeConfig, KubernetesObjectApi, loadAllYaml, loadYaml, type KubernetesObject, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { pino } from 'pino';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBE_KINDS } from '../../../src/config/kubernetes/kind-table.js';
import { istiodDnsNames, selfSignedServingCert } from '../../../src/webhook/serving-cert.js';
import { WebhookConfigPatcher } from '../../../src/webhook/webhook-config-patcher.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { Cluster, createSourceFor, installCrds, waitFor, type SourceUnderTest } from './cluster.js';

const RBAC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/rbac.yaml');
const WEBHOOK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/webhook.yaml');
const SERVICE_ACCOUNT = 'system:serviceaccount:istio-system:tsiod';

/** The admin kubeconfig, acting as the tsiod service account (Impersonate-User). */
function asServiceAccount(env: KubeEnv): KubeConfig {
  const admin = env.kubeConfig;
  const user = admin.getCurrentUser();
  if (!user) throw new Error('the admin kubeconfig has no user');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: admin.clusters,
    contexts: admin.contexts,
    currentContext: admin.currentContext,
    users: [{ ...user, impersonateUser: SERVICE_ACCOUNT }],
  });
  return kubeConfig;
}

whenKubeEnvAvailable('deploy/rbac.yaml', () => {
  describe('deploy/rbac.yaml', () => {
    let env: KubeEnv;
    let under: SourceUnderTest | undefined;

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
      const cluster = new Cluster(env);
      await cluster.createNamespace('istio-system');
      const objects = KubernetesObjectApi.makeApiClient(env.kubeConfig);
      for (const object of loadAllYaml(readFileSync(RBAC, 'utf8')) as KubernetesObject[]) await objects.create(object);
    }, 120_000);

    afterAll(async () => {
      await under?.source.close();
      await env?.stop();
    });

    it('lets the source, as the tsiod service account, sync every kind', async () => {
      under = createSourceFor(asServiceAccount(env), { syncTimeoutMs: 15_000 });
      const u = under;
      await u.source.start();
      const notSynced = u.source.status().filter((s) => s.phase !== 'synced');
      if (notSynced.length > 0) console.error(u.logs.text());
      expect(notSynced).toEqual([]);
      for (const kind of KUBE_KINDS) expect(await u.metric('tsiod_k8s_synced', { kind: kind.kind }), kind.kind).toBe(1);
      expect(u.source.store.get('Namespace//istio-system')).toBeDefined();
    });

    /** Whether the service account may: a SelfSubjectAccessReview made as it. */
    const can = async (verb: string, group: string, resource: string, namespace?: string): Promise<boolean> => {
      const authorization = asServiceAccount(env).makeApiClient(AuthorizationV1Api);
      const review = await authorization.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) } } },
      });
      return review.status?.allowed === true;
    };

    it('grants the service account reading those kinds and nothing else', async () => {
      for (const kind of KUBE_KINDS) {
        for (const verb of ['get', 'list', 'watch']) expect(await can(verb, kind.group, kind.plural), `${verb} ${kind.plural}`).toBe(true);
        // The CA's one write across namespaces: creating ConfigMap istio-ca-root-cert (test/interop/kubernetes/ca-rbac.test.ts).
        const caWrites = kind.plural === 'configmaps' ? ['create'] : [];
        for (const verb of ['create', 'update', 'patch', 'delete']) expect(await can(verb, kind.group, kind.plural), `${verb} ${kind.plural}`).toBe(caWrites.includes(verb));
      }
      // Secrets (Gateways' credentialName) and ConfigMaps (the mesh config) are read, as istiod reads them; the source writes nothing,
      // and the CA creates Secrets only in istio-system (ca-rbac.test.ts).
      expect(await can('get', '', 'secrets', 'istio-system')).toBe(true);
      expect(await can('create', '', 'secrets', 'default')).toBe(false);
      expect(await can('update', '', 'secrets', 'istio-system')).toBe(false);
      expect(await can('update', '', 'configmaps', 'istio-system')).toBe(false);
      expect(await can('list', '', 'serviceaccounts')).toBe(false);
      expect(await can('list', '', 'endpoints')).toBe(false);
      expect(await can('update', '', 'pods/status')).toBe(false);
      expect(await can('list', 'apiextensions.k8s.io', 'customresourcedefinitions')).toBe(false);
    });

    it('lets the webhook-configuration patcher, as the service account, watch deploy/webhook.yaml and fill in its caBundle', async () => {
      const admission = env.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
      const shipped = loadYaml<V1ValidatingWebhookConfiguration>(readFileSync(WEBHOOK, 'utf8'));
      // Nothing listens there, and the configuration is fail-open: the dry run goes through undenied, so it stays Ignore.
      for (const webhook of shipped.webhooks ?? []) webhook.clientConfig = { url: 'https://127.0.0.1:1/validate' };
      await admission.createValidatingWebhookConfiguration({ body: shipped });
      const cert = await selfSignedServingCert({ dnsNames: istiodDnsNames('istio-system') });
      const caBundle = Buffer.from(cert.certPem).toString('base64');
      const logs = new LogBuffer();
      const patcher = new WebhookConfigPatcher({
        kubeConfig: asServiceAccount(env), caBundlePem: cert.certPem, revision: 'default', namespace: 'istio-system',
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      patcher.start();
      try {
        const name = shipped.metadata?.name ?? '';
        const current = (): Promise<V1ValidatingWebhookConfiguration> => admission.readValidatingWebhookConfiguration({ name });
        await waitFor('caBundle filled in', async () => (await current()).webhooks?.every((w) => w.clientConfig.caBundle === caBundle) === true, 15_000, () => logs.text());
        // The dry run was made (create was allowed) and not denied, so it is still fail-open.
        await waitFor('a dry run made', () => logs.text().includes('not ready to switch to fail-closed yet'), 15_000, () => logs.text());
        expect(logs.text()).toContain('the invalid Gateway was not denied');
        // Reset by someone: the watch (allowed) sees it and puts it back long before the periodic pass (a minute).
        const c = await current();
        await admission.replaceValidatingWebhookConfiguration({ name, body: { ...c, webhooks: (c.webhooks ?? []).map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: undefined } })) } });
        await waitFor('caBundle put back', async () => (await current()).webhooks?.every((w) => w.clientConfig.caBundle === caBundle) === true, 15_000, () => logs.text());
        expect(logs.text()).not.toMatch(/forbidden/i);
        expect((await current()).webhooks?.map((w) => w.failurePolicy)).toEqual(['Ignore']);
      } finally {
        await patcher.stop();
      }
    });

    it('grants on webhook configurations and Gateways exactly what the patcher uses', async () => {
      const group = 'admissionregistration.k8s.io';
      for (const verb of ['get', 'list', 'watch', 'update']) expect(await can(verb, group, 'validatingwebhookconfigurations'), verb).toBe(true);
      for (const verb of ['create', 'patch', 'delete', 'deletecollection']) expect(await can(verb, group, 'validatingwebhookconfigurations'), verb).toBe(false);
      for (const verb of ['get', 'update']) expect(await can(verb, group, 'mutatingwebhookconfigurations'), verb).toBe(false);
      // The dry-run Gateway: create (and update, when one by that name exists) in the system namespace only.
      for (const verb of ['create', 'update']) expect(await can(verb, 'networking.istio.io', 'gateways', 'istio-system'), verb).toBe(true);
      for (const verb of ['delete', 'patch']) expect(await can(verb, 'networking.istio.io', 'gateways', 'istio-system'), verb).toBe(false);
      expect(await can('create', 'networking.istio.io', 'gateways', 'default')).toBe(false);
      expect(await can('create', 'networking.istio.io', 'virtualservices', 'istio-system')).toBe(false);
    });
  });
});
