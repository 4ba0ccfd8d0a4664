/**
 * deploy/rbac.yaml and deploy/tsiod.yaml on a real apiserver with RBAC on,
 * for the CA: tsiod, started with a token of the tsiod ServiceAccount (as its
 * pod would be, see tsiod.yaml), creates its root in Secret istio-ca-secret
 * under the Lease tsiod-ca-root, publishes ConfigMap istio-ca-root-cert to
 * every namespace and keeps it, and answers CreateCertificate on 15012 for a
 * workload's token that it had the apiserver review (TokenReview). The
 * account is refused what the CA does not do: Secrets outside the system
 * namespace, rewriting or deleting its Secrets, deleting or replacing
 * ConfigMaps, other Leases, minting tokens.
 *
 * Expectations come from Istio (the chart's RBAC, the CA API, the
 * istio-ca-root-cert ConfigMap's layout) and are checked with Node's
 * X509Certificate, the openssl CLI and the apiserver's own answers.
 */
import {
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import * as grpc from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { certificateServiceDefinition } from '../../../src/ca/server/certificate-service-definition.js';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { IstioCertificateRequestSchema, type IstioCertificateResponse } from '../../../src/gen/istio/v1/auth/ca_pb.js';
import { goPeerPath, goPeerProblem, peersRequired } from '../../helpers/interop-peers.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { opensslCsr, opensslVerify } from '../../ca/server/openssl.js';
import { FAST_TUNING, installCrds, waitFor } from './cluster.js';

const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy');
const SYSTEM_NAMESPACE = 'istio-system';
const WORKLOAD_NAMESPACE = 'ns-a';
const WORKLOAD_ACCOUNT = 'sa-a';
const TRUST_DOMAIN = 'cluster.local';
/** Istio's names, as its CA and chart use them (not read from tsiod's code, so a rename shows here). */
const CA_SECRET = 'istio-ca-secret';
const ROOT_CONFIG_MAP = 'istio-ca-root-cert';
const ROOT_LEASE = 'tsiod-ca-root';
/** The name 15012's certificate carries (istiod.<ns>.svc), which a workload agent dials. */
const SERVER_NAME = `istiod.${SYSTEM_NAMESPACE}.svc`;

type Outcome = { ok: true; certChain: string[] } | { ok: false; code: grpc.status; details: string };
type CertificateClient = grpc.Client & {
  CreateCertificate(request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: IstioCertificateResponse) => void): void;
};
const CertificateClientConstructor = grpc.makeGenericClientConstructor(certificateServiceDefinition, 'IstioCertificateService');

/** CreateCertificate over TLS to 127.0.0.1:port, trusting `bundle` and expecting istiod's name, as pilot-agent calls it. */
function createCertificate(port: number, bundle: readonly string[], csrPem: string, token: string): Promise<Outcome> {
  const client = new CertificateClientConstructor(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(bundle.join(''))), {
    'grpc.ssl_target_name_override': SERVER_NAME,
    'grpc.default_authority': SERVER_NAME,
  }) as unknown as CertificateClient;
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise<Outcome>((resolve) => {
    client.CreateCertificate(create(IstioCertificateRequestSchema, { csr: csrPem }), metadata, { deadline: Date.now() + 20_000 }, (error, response) => {
      client.close();
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, certChain: [...(response?.certChain ?? [])] });
    });
  });
}

async function requestToken(admin: KubeConfig, namespace: string, serviceAccount: string, audiences: string[]): Promise<string> {
  const answer = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences, expirationSeconds: 3600 } },
  });
  const token = answer.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  return token;
}

/** A kubeconfig for the same apiserver that authenticates with `token` only (no admin credentials left in it). */
function kubeconfigWithToken(env: KubeEnv, token: string): string {
  const caData = env.kubeConfig.getCurrentCluster()?.caData;
  if (!caData) throw new Error('the admin kubeconfig carries no certificate-authority-data');
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: test, cluster: {server: "${env.server}", certificate-authority-data: ${caData}}}]`,
    `users: [{name: tsiod, user: {token: ${token}}}]`,
    'contexts: [{name: test, context: {cluster: test, user: tsiod}}]',
    'current-context: test',
    '',
  ].join('\n');
}

/** The HTTP status of a failed client-node call (ApiException.code), or 'ok'. */
async function statusOf(call: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw error;
  }
}

function leafSan(chain: readonly string[]): string | undefined {
  return new X509Certificate(chain[0] ?? '').subjectAltName;
}

whenKubeEnvAvailable('deploy/rbac.yaml: the CA', () => {
  describe('deploy/rbac.yaml and deploy/tsiod.yaml: tsiod with its CA, as the tsiod service account', () => {
    let env: KubeEnv;
    let dir: string;
    let asTsiodPath: string;
    let asTsiod: KubeConfig;
    let core: CoreV1Api;
    let tsiod: RunningTsiod | undefined;
    let replica: RunningTsiod | undefined;
    const logs = new LogBuffer();
    const replicaLogs = new LogBuffer();

    const rootConfigMap = async (namespace: string): Promise<V1ConfigMap | undefined> => {
      const status = await core.readNamespacedConfigMap({ name: ROOT_CONFIG_MAP, namespace }).then((cm) => cm, (e: { code?: number }) => e.code);
      if (status === 404) return undefined;
      if (typeof status === 'number' || status === undefined) throw new Error(`reading ConfigMap ${namespace}/${ROOT_CONFIG_MAP}: HTTP ${status}`);
      return status;
    };
    /** The bundle as the ConfigMap must carry it: the roots' PEMs one after another. */
    const bundleText = (): string => (tsiod?.trustBundlePem() ?? []).map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
      core = env.kubeConfig.makeApiClient(CoreV1Api);
      for (const name of [SYSTEM_NAMESPACE, WORKLOAD_NAMESPACE]) await core.createNamespace({ body: { metadata: { name } } });
      const objects = KubernetesObjectApi.makeApiClient(env.kubeConfig);
      for (const object of loadAllYaml(await readFile(path.join(DEPLOY, 'rbac.yaml'), 'utf8')) as KubernetesObject[]) await objects.create(object);
      await core.createNamespacedServiceAccount({ namespace: WORKLOAD_NAMESPACE, body: { metadata: { name: WORKLOAD_ACCOUNT } } });
      // The pod's token: the apiserver's own audience (no audiences asked), for the ServiceAccount tsiod.yaml runs as.
      const token = await requestToken(env.kubeConfig, SYSTEM_NAMESPACE, 'tsiod', []);
      dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-ca-rbac-'));
      asTsiodPath = path.join(dir, 'kubeconfig-tsiod');
      await writeFile(asTsiodPath, kubeconfigWithToken(env, token), { mode: 0o600 });
      asTsiod = new KubeConfig();
      asTsiod.loadFromFile(asTsiodPath);
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- tsiod log ----\n${logs.text()}\n---- replica log ----\n${replicaLogs.text()}\n${env.logs()}`);
    });

    afterAll(async () => {
      await replica?.close();
      await tsiod?.close();
      await env?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const start = (buffer: LogBuffer): Promise<RunningTsiod> =>
      startTsiod({
        kubernetes: { kubeconfig: asTsiodPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: null, monitoringPort: null, securePort: 0, systemNamespace: SYSTEM_NAMESPACE,
        logger: pino({ level: 'debug' }, { write: (line: string) => buffer.push(line) }),
      });

    it('kubectl apply --dry-run=server accepts deploy/tsiod.yaml and deploy/rbac.yaml', async (context) => {
      const problem = goPeerProblem('kubectl');
      if (problem !== null) {
        if (peersRequired()) throw new Error(`kubectl not provisioned: ${problem}`);
        context.skip(`kubectl not provisioned: ${problem}`);
      }
      const kubectl = (...args: string[]): Promise<{ code: number; out: string }> =>
        new Promise((resolve) => {
          execFile(goPeerPath('kubectl'), ['--kubeconfig', env.kubeconfigPath, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
          });
        });
      const applied = await kubectl('apply', '--dry-run=server', '-f', path.join(DEPLOY, 'tsiod.yaml'), '-o', 'name');
      expect(applied.out).toBe('deployment.apps/tsiod\nservice/istiod\n');
      expect(applied.code).toBe(0);
      // Already created in beforeAll: a server-side dry run of the same manifest is an unchanged apply.
      const rbac = await kubectl('apply', '--dry-run=server', '-f', path.join(DEPLOY, 'rbac.yaml'));
      expect(rbac.code, rbac.out).toBe(0);
      // The apiserver would refuse a broken one: the same check is not one that cannot fail.
      const broken = path.join(dir, 'broken.yaml');
      await writeFile(broken, (await readFile(path.join(DEPLOY, 'tsiod.yaml'), 'utf8')).replace('containerPort: 15012', 'containerPort: 150120'));
      const refused = await kubectl('apply', '--dry-run=server', '-f', broken);
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/containerPort/);
    });

    it('creates its root in Secret istio-ca-secret, under the Lease tsiod-ca-root', async () => {
      tsiod = await start(logs);
      expect(tsiod.securePort).toBeGreaterThan(0);
      const bundle = tsiod.trustBundlePem();
      expect(bundle).toHaveLength(1);
      const secret = await core.readNamespacedSecret({ name: CA_SECRET, namespace: SYSTEM_NAMESPACE });
      // istiod's layout: type istio.io/ca-root, ca-cert.pem the root that signs.
      expect(secret.type).toBe('istio.io/ca-root');
      const stored = new X509Certificate(Buffer.from(secret.data?.['ca-cert.pem'] ?? '', 'base64').toString('utf8'));
      expect(stored.raw.equals(new X509Certificate(bundle[0]!).raw)).toBe(true);
      expect(stored.subject).toContain(`O=${TRUST_DOMAIN}`);

      const lease = await env.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: ROOT_LEASE, namespace: SYSTEM_NAMESPACE });
      // Taken (created) and handed back once the root was stored, as client-go releases a lease: holder cleared.
      expect(lease.spec?.holderIdentity ?? '').toBe('');
      expect(logs.text()).toMatch(/lease lock: acquired \(created the Lease\)/);
      expect(logs.text()).toMatch(/lease lock: released/);
      expect(logs.text()).not.toMatch(/forbidden/i);
    });

    it('publishes ConfigMap istio-ca-root-cert to every namespace but kube-public, and keeps it', async () => {
      const running = tsiod;
      if (!running) throw new Error('tsiod did not start');
      const namespaces = [SYSTEM_NAMESPACE, WORKLOAD_NAMESPACE, 'default', 'kube-system'];
      for (const namespace of namespaces) {
        await waitFor(`ConfigMap ${namespace}/${ROOT_CONFIG_MAP}`, async () => (await rootConfigMap(namespace))?.data?.['root-cert.pem'] === bundleText(), 20_000, () => logs.text());
        const configMap = await rootConfigMap(namespace);
        expect(configMap?.metadata?.labels?.['istio.io/config']).toBe('true');
      }
      expect(await rootConfigMap('kube-public')).toBeUndefined();

      // Someone changes it: the watch sees it and tsiod patches it back.
      await core.patchNamespacedConfigMap({ name: ROOT_CONFIG_MAP, namespace: WORKLOAD_NAMESPACE, body: [{ op: 'replace', path: '/data/root-cert.pem', value: 'not a root\n' }] });
      await waitFor('the ConfigMap patched back', async () => (await rootConfigMap(WORKLOAD_NAMESPACE))?.data?.['root-cert.pem'] === bundleText(), 20_000, () => logs.text());
      // A new namespace gets one (created).
      await core.createNamespace({ body: { metadata: { name: 'ns-new' } } });
      await waitFor('the ConfigMap in a new namespace', async () => (await rootConfigMap('ns-new'))?.data?.['root-cert.pem'] === bundleText(), 20_000, () => logs.text());
      expect(logs.text()).not.toMatch(/forbidden|not allowed/i);
    });

    it('issues a workload a certificate on 15012 for a token it had the apiserver review', async () => {
      const running = tsiod;
      if (!running?.securePort) throw new Error('tsiod did not start');
      const csr = await opensslCsr({ subjectAltName: `URI:spiffe://${TRUST_DOMAIN}/ns/kube-system/sa/admin` });
      const token = await requestToken(env.kubeConfig, WORKLOAD_NAMESPACE, WORKLOAD_ACCOUNT, ['istio-ca']);
      const outcome = await createCertificate(running.securePort, running.trustBundlePem(), csr.csrPem, token);
      if (!outcome.ok) throw new Error(`CreateCertificate failed: ${grpc.status[outcome.code]} ${outcome.details}`);
      // The identity the TokenReview named, not the one the CSR asked for.
      expect(leafSan(outcome.certChain)).toBe(`URI:spiffe://${TRUST_DOMAIN}/ns/${WORKLOAD_NAMESPACE}/sa/${WORKLOAD_ACCOUNT}`);
      // It verifies to the root a workload is given: the ConfigMap in its namespace.
      const published = (await rootConfigMap(WORKLOAD_NAMESPACE))?.data?.['root-cert.pem'] ?? '';
      expect(await opensslVerify({ leafPem: outcome.certChain[0]!, intermediatesPem: outcome.certChain.slice(1, -1), rootPem: published, purpose: 'sslclient' })).toMatch(/: OK/);

      // A token for another audience is refused as such (UNAUTHENTICATED): the review was answered, not forbidden (UNAVAILABLE).
      const other = await requestToken(env.kubeConfig, WORKLOAD_NAMESPACE, WORKLOAD_ACCOUNT, ['not-istio-ca']);
      const refused = await createCertificate(running.securePort, running.trustBundlePem(), csr.csrPem, other);
      expect(refused.ok ? 'OK' : grpc.status[refused.code]).toBe('UNAUTHENTICATED');
      expect(logs.text()).not.toMatch(/forbidden/i);
      expect(logs.text()).not.toMatch(/PRIVATE KEY/);
    });

    it('lets a second replica read the stored root and share it', async () => {
      const before = await core.readNamespacedSecret({ name: CA_SECRET, namespace: SYSTEM_NAMESPACE });
      replica = await start(replicaLogs);
      expect(replica.trustBundlePem()).toEqual(tsiod?.trustBundlePem());
      const after = await core.readNamespacedSecret({ name: CA_SECRET, namespace: SYSTEM_NAMESPACE });
      expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
      expect(replicaLogs.text()).toMatch(/"origin":"stored"/);
      expect(replicaLogs.text()).not.toMatch(/forbidden/i);
      await replica.close();
      replica = undefined;
    });

    /** Whether the service account may: a SelfSubjectAccessReview made with its token. */
    const can = async (verb: string, group: string, resource: string, o: { namespace?: string; name?: string; subresource?: string } = {}): Promise<boolean> => {
      const review = await asTsiod.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb, group, resource, ...o } },
        },
      });
      return review.status?.allowed === true;
    };

    it('grants the CA exactly what it uses', async () => {
      expect(await can('create', 'authentication.k8s.io', 'tokenreviews')).toBe(true);
      for (const namespace of [WORKLOAD_NAMESPACE, 'default']) {
        expect(await can('create', '', 'configmaps', { namespace }), `create configmaps in ${namespace}`).toBe(true);
        expect(await can('patch', '', 'configmaps', { namespace, name: ROOT_CONFIG_MAP }), `patch ${namespace}/${ROOT_CONFIG_MAP}`).toBe(true);
      }
      expect(await can('create', '', 'secrets', { namespace: SYSTEM_NAMESPACE })).toBe(true);
      for (const name of [CA_SECRET, 'cacerts']) expect(await can('get', '', 'secrets', { namespace: SYSTEM_NAMESPACE, name }), name).toBe(true);
      // The root rotator rewrites its own Secret (compare-and-swap), as istiod's does.
      expect(await can('update', '', 'secrets', { namespace: SYSTEM_NAMESPACE, name: CA_SECRET })).toBe(true);
      expect(await can('create', 'coordination.k8s.io', 'leases', { namespace: SYSTEM_NAMESPACE })).toBe(true);
      for (const verb of ['get', 'update']) expect(await can(verb, 'coordination.k8s.io', 'leases', { namespace: SYSTEM_NAMESPACE, name: ROOT_LEASE }), verb).toBe(true);
    });

    it('forbids Secrets outside the system namespace, patching or deleting the CA Secrets, rewriting cacerts, and deleting or replacing ConfigMaps', async () => {
      for (const namespace of [WORKLOAD_NAMESPACE, 'default', 'kube-system']) {
        expect(await can('create', '', 'secrets', { namespace }), `create secrets in ${namespace}`).toBe(false);
        expect(await can('update', '', 'secrets', { namespace }), `update secrets in ${namespace}`).toBe(false);
      }
      for (const verb of ['patch', 'delete']) {
        for (const name of [CA_SECRET, 'cacerts']) expect(await can(verb, '', 'secrets', { namespace: SYSTEM_NAMESPACE, name }), `${verb} ${name}`).toBe(false);
      }
      expect(await can('update', '', 'secrets', { namespace: SYSTEM_NAMESPACE, name: 'cacerts' })).toBe(false);
      expect(await can('deletecollection', '', 'secrets', { namespace: SYSTEM_NAMESPACE })).toBe(false);
      for (const verb of ['delete', 'update', 'deletecollection']) {
        expect(await can(verb, '', 'configmaps', { namespace: WORKLOAD_NAMESPACE, name: ROOT_CONFIG_MAP }), `${verb} ${ROOT_CONFIG_MAP}`).toBe(false);
      }
      // Patch only the root-cert ConfigMap, not (say) the mesh config.
      expect(await can('patch', '', 'configmaps', { namespace: SYSTEM_NAMESPACE, name: 'istio' })).toBe(false);

      // The apiserver itself refuses, with the ServiceAccount's own credentials.
      const coreAsTsiod = asTsiod.makeApiClient(CoreV1Api);
      expect(await statusOf(coreAsTsiod.deleteNamespacedConfigMap({ name: ROOT_CONFIG_MAP, namespace: WORKLOAD_NAMESPACE }))).toBe(403);
      expect(await statusOf(coreAsTsiod.createNamespacedSecret({ namespace: WORKLOAD_NAMESPACE, body: { metadata: { name: 'stolen' }, stringData: { a: 'b' } } }))).toBe(403);
      expect(await statusOf(coreAsTsiod.deleteNamespacedSecret({ name: CA_SECRET, namespace: SYSTEM_NAMESPACE }))).toBe(403);
      expect(await statusOf(coreAsTsiod.patchNamespacedConfigMap({ name: 'istio', namespace: SYSTEM_NAMESPACE, body: [{ op: 'add', path: '/data', value: {} }] }))).toBe(403);
      expect(await rootConfigMap(WORKLOAD_NAMESPACE)).toBeDefined();
    });

    it('forbids other Leases, Leases elsewhere, minting tokens, and the reviews and signing it does not do', async () => {
      for (const verb of ['get', 'update', 'patch', 'delete']) {
        expect(await can(verb, 'coordination.k8s.io', 'leases', { namespace: SYSTEM_NAMESPACE, name: 'istio-leader' }), `${verb} another Lease`).toBe(false);
      }
      for (const verb of ['patch', 'delete']) expect(await can(verb, 'coordination.k8s.io', 'leases', { namespace: SYSTEM_NAMESPACE, name: ROOT_LEASE }), `${verb} ${ROOT_LEASE}`).toBe(false);
      expect(await can('list', 'coordination.k8s.io', 'leases', { namespace: SYSTEM_NAMESPACE })).toBe(false);
      expect(await can('create', 'coordination.k8s.io', 'leases', { namespace: 'kube-system' })).toBe(false);
      expect(await can('create', '', 'serviceaccounts', { namespace: WORKLOAD_NAMESPACE, name: WORKLOAD_ACCOUNT, subresource: 'token' })).toBe(false);
      expect(await can('create', 'authorization.k8s.io', 'subjectaccessreviews')).toBe(false);
      expect(await can('create', 'certificates.k8s.io', 'certificatesigningrequests')).toBe(false);
      expect(await statusOf(asTsiod.makeApiClient(CoordinationV1Api).deleteNamespacedLease({ name: ROOT_LEASE, namespace: SYSTEM_NAMESPACE }))).toBe(403);
    });
  });
});
