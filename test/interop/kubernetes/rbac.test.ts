/**
 * deploy/rbac.yaml on a real apiserver with RBAC on: the source, running as
 * the tsiod service account, syncs every kind; and that account can do
 * nothing beyond reading them.
 */
import { AuthorizationV1Api, KubeConfig, KubernetesObjectApi, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBE_KINDS } from '../../../src/config/kubernetes/kind-table.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSourceFor, installCrds, type SourceUnderTest } from './cluster.js';

const RBAC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/rbac.yaml');
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

    it('grants the service account reading those kinds and nothing else', async () => {
      const authorization = asServiceAccount(env).makeApiClient(AuthorizationV1Api);
      const can = async (verb: string, group: string, resource: string, namespace?: string): Promise<boolean> => {
        const review = await authorization.createSelfSubjectAccessReview({
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) } } },
        });
        return review.status?.allowed === true;
      };
      for (const kind of KUBE_KINDS) {
        for (const verb of ['get', 'list', 'watch']) expect(await can(verb, kind.group, kind.plural), `${verb} ${kind.plural}`).toBe(true);
        for (const verb of ['create', 'update', 'patch', 'delete']) expect(await can(verb, kind.group, kind.plural), `${verb} ${kind.plural}`).toBe(false);
      }
      // Secrets (Gateways' credentialName) and ConfigMaps (the mesh config) are read, as istiod reads them; nothing is written.
      expect(await can('get', '', 'secrets', 'istio-system')).toBe(true);
      expect(await can('create', '', 'secrets', 'istio-system')).toBe(false);
      expect(await can('update', '', 'configmaps', 'istio-system')).toBe(false);
      expect(await can('list', '', 'serviceaccounts')).toBe(false);
      expect(await can('list', '', 'endpoints')).toBe(false);
      expect(await can('update', '', 'pods/status')).toBe(false);
      expect(await can('list', 'apiextensions.k8s.io', 'customresourcedefinitions')).toBe(false);
    });
  });
});
