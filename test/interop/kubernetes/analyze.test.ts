/**
 * `tsiod analyze --kubeconfig` against a real kube-apiserver: it lists the
 * cluster once (Secrets included, for Gateway credentials: missing, expired
 * or not a certificate, which the apiserver stores without a word) and
 * reports resources by kind and namespace/name; run with deploy/rbac.yaml's
 * rights less Secrets, it warns and analyzes the rest.
 */
import { KubernetesObjectApi, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalyze, type AnalyzeOptions } from '../../../src/cli/analyze.js';
import { selfSignedServingCert } from '../../../src/webhook/serving-cert.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, installCrds } from './cluster.js';

const RBAC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/rbac.yaml');
const SERVICE_ACCOUNT = 'system:serviceaccount:istio-system:tsiod';
/** kube-apiserver makes "default" itself, unlabelled, and istioctl reports that too. */
const invalidCredential = (gateway: string): string =>
  `Error [IST0161] (Gateway default/${gateway}) The credential referenced by the Gateway ${gateway} in namespace istio-system is invalid, which can cause the traffic not to work as expected.`;
const DEFAULT_NOT_INJECTED =
  "Info [IST0102] (Namespace default) The namespace is not enabled for Istio injection. Run 'kubectl label namespace default istio-injection=enabled' to enable it, or 'kubectl label namespace default istio-injection=disabled' to explicitly mark it as not needing injection.";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function analyzeWith(options: AnalyzeOptions): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runAnalyze(options, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

whenKubeEnvAvailable('tsiod analyze --kubeconfig', () => {
  describe('tsiod analyze --kubeconfig against a real kube-apiserver', () => {
    let env: KubeEnv;
    let serviceAccountKubeconfig: string;
    let keyMaterial = '';

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig, 'networking.istio.io');
      const cluster = new Cluster(env);
      await cluster.createNamespace('istio-system');
      const objects = KubernetesObjectApi.makeApiClient(env.kubeConfig);
      // deploy/rbac.yaml, less Secrets (which `tsiod serve` reads): a user who may not read them.
      for (const object of loadAllYaml(readFileSync(RBAC, 'utf8')) as (KubernetesObject & { rules?: { resources?: string[] }[] })[]) {
        for (const rule of object.rules ?? []) rule.resources = rule.resources?.filter((resource) => resource !== 'secrets');
        // A rule that granted Secrets only (the CA's Role) is left with none, which the apiserver refuses: drop it.
        if (object.rules) object.rules = object.rules.filter((rule) => rule.resources === undefined || rule.resources.length > 0);
        await objects.create(object);
      }
      await cluster.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'ingress-1', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
        spec: { containers: [{ name: 'istio-proxy', image: 'istio/proxyv2' }] },
      });
      await cluster.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'ingress', namespace: 'istio-system' },
        spec: { selector: { istio: 'ingressgateway' }, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 }] },
      });
      await cluster.create({
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'public', namespace: 'default' },
        spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'public-cert' }, hosts: ['*'] }] },
      });
      // Two kubernetes.io/tls Secrets the apiserver takes (it checks only that tls.crt and tls.key are there): one expired a year ago, one not PEM.
      const year = 365 * 24 * 3600_000;
      const expired = await selfSignedServingCert({ dnsNames: ['old.example.com'], now: new Date(Date.now() - 2 * year), validForMs: year });
      keyMaterial = expired.keyPem.split('\n')[1] ?? '';
      const tlsSecret = (name: string, cert: string, key: string): KubernetesObject & Record<string, unknown> => ({
        apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: 'istio-system' },
        data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') },
      });
      await cluster.create(tlsSecret('expired-cert', expired.certPem, expired.keyPem));
      await cluster.create(tlsSecret('garbage-cert', 'not a certificate', 'not a key'));
      for (const [name, credentialName] of [['expired', 'expired-cert'], ['garbage', 'garbage-cert']] as const) {
        await cluster.create({
          apiVersion: 'networking.istio.io/v1',
          kind: 'Gateway',
          metadata: { name, namespace: 'default' },
          spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName }, hosts: [`${name}.example.com`] }] },
        });
      }
      // The admin kubeconfig, acting as tsiod's service account (Impersonate-User): deploy/rbac.yaml's rights only.
      serviceAccountKubeconfig = `${env.kubeconfigPath}-as-tsiod`;
      const admin = readFileSync(env.kubeconfigPath, 'utf8');
      await writeFile(serviceAccountKubeconfig, admin.replace(/^(\s+)token: (.*)$/m, `$1token: $2\n$1as: ${SERVICE_ACCOUNT}`), { mode: 0o600 });
    }, 120_000);

    afterAll(async () => {
      await env?.stop();
    });

    it('lists the cluster once, Secrets included, and names resources without a file reference', async () => {
      const run = await analyzeWith({ kubeconfig: env.kubeconfigPath, timeoutMs: 20_000 });
      expect(run.stdout).toBe(
        `Error [IST0101] (Gateway default/public) Referenced credentialName not found: "public-cert"\n${invalidCredential('expired')}\n${invalidCredential('garbage')}\n${DEFAULT_NOT_INJECTED}\n`,
      );
      expect(keyMaterial).not.toBe('');
      expect(run.stdout + run.stderr).not.toContain(keyMaterial);
      expect(run.stderr).toBe(
        'Error: Analyzers found issues when analyzing all namespaces.\nSee https://istio.io/latest/docs/reference/config/analysis for more information about causes and resolutions.\n',
      );
      expect(run.code).toBe(79);
    }, 60_000);

    it('analyzes without Secrets when its rights do not include them (deploy/rbac.yaml less Secrets), and says so', async () => {
      const run = await analyzeWith({ kubeconfig: serviceAccountKubeconfig, timeoutMs: 20_000 });
      expect(run.stderr).toMatch(/^Warning: cannot list Secrets \(.*\); Gateway credentials are not checked\.\n/);
      expect(run.stderr).not.toContain('Error');
      expect(run.stdout).toBe(`${DEFAULT_NOT_INJECTED}\n`);
      expect(run.code).toBe(0);
    }, 60_000);
  });
});
