/**
 * Root rotation in a cluster, on a real kube-apiserver: KubernetesCaStore's
 * compare-and-swap of istio-ca-secret (resourceVersion), and replicas
 * rotating through the Lease: the new root reaches every namespace's root
 * ConfigMap (RootCertPublisher) before any leaf is signed by it, a replica
 * that did not rotate follows the Secret, one restarted mid-rotation resumes
 * it, the old root is retired, and a plugged-in CA (cacerts) is left alone.
 * Certificates are compared by openssl's fingerprints; the rotation runs on a
 * manual clock that starts in the past, so certificates are valid on the
 * wall clock too (TLS handshakes judge them there).
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa, type LoadedCa } from '../../../../src/ca/bootstrap-ca.js';
import { caKeyMaterial, type CaKeyMaterial } from '../../../../src/ca/ca-key-material.js';
import type { IssuedKeyAndCertificate } from '../../../../src/ca/certificate-authority.js';
import type { SelfSignedCaState } from '../../../../src/ca/ca-store.js';
import { KubernetesCaStore } from '../../../../src/ca/kubernetes/kubernetes-ca-store.js';
import { leaseLock } from '../../../../src/ca/kubernetes/lease-lock.js';
import { RootCertPublisher } from '../../../../src/ca/kubernetes/root-cert-publisher.js';
import { createSelfSignedRoot } from '../../../../src/ca/self-signed-root.js';
import { SelfSignedRootRotator } from '../../../../src/ca/self-signed-root-rotator.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../../helpers/kube-env.js';
import { LogBuffer } from '../../../helpers/log-buffer.js';
import { ManualClock } from '../../../ca/manual-clock.js';
import { mutualTlsHandshake } from '../../../ca/tls-tools.js';
import { eventually, kubeJsonOk, opensslCertPublicKey, opensslFingerprints, opensslIntermediate, opensslKeyPublicKey, opensslRoot } from '../../../ca/kubernetes/fixtures.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString('utf8');
const td = 'cluster.local';
const MINUTE = 60_000;
const ROOT_LIFETIME_S = 2 * 3600;
const CHECK_INTERVAL_MS = MINUTE;
const OVERLAP_MS = 2 * MINUTE;
const MAX_TTL_S = 600;

const fps = (pems: readonly string[]): string[] => pems.flatMap(opensslFingerprints);
const validity = (pem: string): { from: number; to: number } => {
  const cert = new X509Certificate(pem);
  return { from: new Date(cert.validFrom).getTime(), to: new Date(cert.validTo).getTime() };
};
/** istiod's GetWaitTime: the grace period starts when 20% of the root's lifetime is left. */
const graceStart = (pem: string): number => {
  const { from, to } = validity(pem);
  return to - 0.2 * (to - from);
};
const rootOf = (leaf: IssuedKeyAndCertificate): string => leaf.certChainPem.at(-1) ?? '';

whenKubeEnvAvailable('root rotation on a real kube-apiserver', () => {
  describe('root rotation on a real kube-apiserver', () => {
    let env: KubeEnv;
    let core: CoreV1Api;
    const logs = new LogBuffer();
    const closers: Array<() => Promise<void> | void> = [];
    let namespaceCount = 0;

    async function freshNamespace(prefix: string): Promise<string> {
      const name = `${prefix}-${++namespaceCount}`;
      await core.createNamespace({ body: { metadata: { name } } });
      return name;
    }

    /** Each replica has its own KubeConfig, connections and Lease holder identity. */
    function kubeConfig(): KubeConfig {
      const kc = new KubeConfig();
      kc.loadFromFile(env.kubeconfigPath);
      return kc;
    }

    interface Replica {
      readonly store: KubernetesCaStore;
      readonly ca: LoadedCa;
      readonly rotator: SelfSignedRootRotator;
    }

    async function replica(namespace: string, holder: string, clock: ManualClock): Promise<Replica> {
      const kc = kubeConfig();
      const logger = pino({ level: 'debug', base: { replica: holder } }, { write: (line: string) => logs.push(line) });
      const store = new KubernetesCaStore(kc, { namespace });
      const lock = leaseLock(kc, { namespace, name: 'tsiod-ca-root', holder, leaseSeconds: 5, retryPeriodMs: 200, logger });
      const now = (): Date => clock.date();
      const ca = await loadOrCreateCa(store, { trustDomain: td, algorithm: 'ECDSA', rootValidForSeconds: ROOT_LIFETIME_S, defaultTtlSeconds: MAX_TTL_S, maxTtlSeconds: MAX_TTL_S, now }, lock);
      const rotator = new SelfSignedRootRotator({
        ca,
        store,
        trustDomain: td,
        logger,
        checkIntervalMs: CHECK_INTERVAL_MS,
        overlapMs: OVERLAP_MS,
        maxWorkloadCertTtlSeconds: MAX_TTL_S,
        rootValidForSeconds: ROOT_LIFETIME_S,
        lock,
        clock,
      });
      closers.push(() => rotator.stop(), () => store.close());
      return { store, ca, rotator };
    }

    async function secretData(namespace: string): Promise<Record<string, string>> {
      const secret = await core.readNamespacedSecret({ namespace, name: 'istio-ca-secret' });
      expect(secret.type).toBe('istio.io/ca-root');
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, unb64(v)]));
    }

    beforeAll(async () => {
      env = await startKubeEnv();
      core = env.kubeConfig.makeApiClient(CoreV1Api);
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- rotation log ----\n${logs.text()}\n${env.logs()}`);
    });

    afterAll(async () => {
      for (const close of closers.reverse()) await close();
      await env?.stop();
    });

    it("KubernetesCaStore.replaceSelfSigned is a compare-and-swap on the resourceVersion, writing tsiod's rotation keys beside istiod's", async () => {
      const namespace = await freshNamespace('cas');
      const store = new KubernetesCaStore(kubeConfig(), { namespace });
      closers.push(() => store.close());
      const [oldRoot, newRoot] = await Promise.all([createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' }), createSelfSignedRoot({ trustDomain: td, algorithm: 'ECDSA' })]);
      await store.saveSelfSignedIfAbsent(oldRoot);
      // Someone's own key in the Secret stays through every write.
      await kubeJsonOk(env.kubeConfig, 'PATCH', `/api/v1/namespaces/${namespace}/secrets/istio-ca-secret`, { data: { 'operator-note': b64('kept') } }, 'application/merge-patch+json');
      const v1 = (await store.loadSelfSignedState())!;
      const secret = await core.readNamespacedSecret({ namespace, name: 'istio-ca-secret' });
      expect(v1.version).toBe(secret.metadata?.resourceVersion);

      const material = (m: CaKeyMaterial, bundle: readonly CaKeyMaterial[]): CaKeyMaterial =>
        caKeyMaterial({ signingCertPem: m.signingCertPem, signingKeyPem: m.signingKeyPem, intermediatesPem: [], rootCertsPem: bundle.map((b) => b.signingCertPem), source: 'self-signed' });
      const introduced: SelfSignedCaState = {
        active: material(oldRoot, [newRoot, oldRoot]),
        introduced: newRoot,
        rotation: { phase: 'introduced', introducedAt: new Date('2030-01-01T00:00:00Z'), activateAt: new Date('2030-01-02T00:00:00Z') },
      };
      const retired: SelfSignedCaState = { active: material(newRoot, [newRoot]) };
      // Two writers of the same version: one wins, the other writes nothing.
      const results = await Promise.all([store.replaceSelfSigned(introduced, v1.version), new KubernetesCaStore(kubeConfig(), { namespace }).replaceSelfSigned(retired, v1.version)]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      let stored = await store.loadSelfSignedState();
      expect(stored!.version).toBe(results.find((r) => r !== undefined)!.version);
      // Whatever won, the introduced state can be written from the current version, and not from v1 again.
      expect(await store.replaceSelfSigned(introduced, v1.version)).toBeUndefined();
      if (stored!.state.rotation?.phase !== 'introduced') stored = await store.replaceSelfSigned(introduced, stored!.version);

      const data = await secretData(namespace);
      expect(Object.keys(data).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'key.pem', 'next-ca-cert.pem', 'next-ca-key.pem', 'operator-note', 'root-cert.pem', 'root-rotation.json']);
      expect(opensslFingerprints(data['ca-cert.pem']!)).toEqual(opensslFingerprints(oldRoot.signingCertPem));
      expect(opensslKeyPublicKey(data['ca-key.pem']!)).toBe(opensslCertPublicKey(oldRoot.signingCertPem));
      expect(opensslFingerprints(data['root-cert.pem']!)).toEqual(fps([newRoot.signingCertPem, oldRoot.signingCertPem]));
      expect(opensslFingerprints(data['next-ca-cert.pem']!)).toEqual(opensslFingerprints(newRoot.signingCertPem));
      expect(opensslKeyPublicKey(data['next-ca-key.pem']!)).toBe(opensslCertPublicKey(newRoot.signingCertPem));
      expect(JSON.parse(data['root-rotation.json']!)).toEqual({ phase: 'introduced', introducedAt: '2030-01-01T00:00:00.000Z', activateAt: '2030-01-02T00:00:00.000Z' });
      expect(data['cert-chain.pem']).toBe('');
      expect(data['operator-note']).toBe('kept');

      // Another replica reads the same state, bundle order included; loadSelfSigned (bootstrap) gets the whole bundle.
      const other = new KubernetesCaStore(kubeConfig(), { namespace });
      closers.push(() => other.close());
      const seen = await other.loadSelfSignedState();
      expect(seen!.version).toBe(stored!.version);
      expect(fps(seen!.state.active.rootCertsPem)).toEqual(fps([newRoot.signingCertPem, oldRoot.signingCertPem]));
      expect(opensslKeyPublicKey(seen!.state.introduced!.signingKeyPem)).toBe(opensslCertPublicKey(newRoot.signingCertPem));
      expect(fps((await other.loadSelfSigned())!.rootCertsPem)).toEqual(fps([newRoot.signingCertPem, oldRoot.signingCertPem]));

      // Back to no rotation: tsiod's keys go, istiod's and the operator's stay.
      await store.replaceSelfSigned(retired, stored!.version);
      const after = await secretData(namespace);
      expect(Object.keys(after).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'key.pem', 'operator-note', 'root-cert.pem']);
      expect(opensslFingerprints(after['root-cert.pem']!)).toEqual(opensslFingerprints(newRoot.signingCertPem));
    });

    it('two replicas rotate through the Lease: ConfigMaps get the new root before it signs, the other replica follows, a restarted one resumes, the old root retires', async () => {
      const namespace = await freshNamespace('rotation');
      const appNamespace = await freshNamespace('rotation-app');
      const configMapName = `root-cert-rotation-${namespaceCount}`;
      const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000 - 100 * MINUTE);
      const a = await replica(namespace, 'replica-a', clock);
      let b = await replica(namespace, 'replica-b', clock);
      const oldRoot = a.ca.authority.signingRootPem();
      expect(fps([b.ca.authority.signingRootPem()])).toEqual(fps([oldRoot]));

      const publisher = new RootCertPublisher(kubeConfig(), { logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }), configMapName });
      closers.push(() => publisher.stop());
      await publisher.start(a.ca.authority.trustBundlePem());
      a.ca.authority.onTrustBundleChange((bundle) => void publisher.update(bundle));
      const configMapBundle = async (): Promise<string[]> => {
        const configMap = await core.readNamespacedConfigMap({ namespace: appNamespace, name: configMapName }).catch(() => undefined);
        return opensslFingerprints(configMap?.data?.['root-cert.pem'] ?? '');
      };
      await eventually('the old root in the ConfigMap', async () => JSON.stringify(await configMapBundle()) === JSON.stringify(fps([oldRoot])));

      // Both replicas find the root in its grace period at once: the Lease and the compare-and-swap let one introduce a root.
      clock.set(graceStart(oldRoot));
      await Promise.all([a.rotator.checkNow(), b.rotator.checkNow()]);
      const bundle = a.ca.authority.trustBundlePem();
      expect(bundle).toHaveLength(2);
      const newRoot = bundle[0]!;
      expect(fps(b.ca.authority.trustBundlePem())).toEqual(fps(bundle));
      expect(fps([bundle[1]!])).toEqual(fps([oldRoot]));
      await eventually('the new bundle in the ConfigMap', async () => JSON.stringify(await configMapBundle()) === JSON.stringify(fps(bundle)));
      // ... while every leaf is still signed by the old root, by either replica.
      const oldLeafA = await a.ca.authority.issueWorkloadCertificate({ trustDomain: td, namespace: appNamespace, serviceAccount: 'frontend' });
      const oldLeafB = await b.ca.authority.issueWorkloadCertificate({ trustDomain: td, namespace: appNamespace, serviceAccount: 'frontend' });
      expect(fps([rootOf(oldLeafA), rootOf(oldLeafB)])).toEqual(fps([oldRoot, oldRoot]));

      // b restarts mid-rotation and, holding the Lease at activation time, activates the root a introduced.
      await b.rotator.stop();
      clock.set(clock.now() + MINUTE);
      b = await replica(namespace, 'replica-b-restarted', clock);
      expect(b.ca.origin).toBe('stored');
      expect(fps(b.ca.authority.trustBundlePem())).toEqual(fps(bundle));
      clock.set(graceStart(oldRoot) + OVERLAP_MS);
      const activated = await b.rotator.checkNow();
      expect(activated.phase).toBe('activated');
      expect(fps([b.ca.authority.signingRootPem()])).toEqual(fps([newRoot]));
      // a follows at its next check.
      expect(fps([a.ca.authority.signingRootPem()])).toEqual(fps([oldRoot]));
      expect((await a.rotator.checkNow()).phase).toBe('activated');
      expect(fps([a.ca.authority.signingRootPem()])).toEqual(fps([newRoot]));
      const newLeaf = await a.ca.authority.issueWorkloadCertificate({ trustDomain: td, namespace: appNamespace, serviceAccount: 'backend' });
      expect(fps([rootOf(newLeaf)])).toEqual(fps([newRoot]));

      // During the overlap an old-root workload and a new-root workload talk both ways, each with the bundle it was given.
      const trusted = a.ca.authority.trustBundlePem();
      const oldParty = { keyPem: oldLeafB.privateKeyPem, certChainPem: oldLeafB.certChainPem, trustedPem: trusted };
      const newParty = { keyPem: newLeaf.privateKeyPem, certChainPem: newLeaf.certChainPem, trustedPem: trusted };
      expect((await mutualTlsHandshake(oldParty, newParty)).clientSanSeenByServer).toBe(`URI:spiffe://cluster.local/ns/${appNamespace}/sa/backend`);
      expect((await mutualTlsHandshake(newParty, oldParty)).clientSanSeenByServer).toBe(`URI:spiffe://cluster.local/ns/${appNamespace}/sa/frontend`);
      expect(JSON.stringify(await configMapBundle())).toBe(JSON.stringify(fps(bundle)));

      // Retirement: the ConfigMaps and the Secret end with the new root alone.
      clock.set(activated.nextStepAt!.getTime());
      expect((await a.rotator.checkNow()).phase).toBe('none');
      await eventually('the new root alone in the ConfigMap', async () => JSON.stringify(await configMapBundle()) === JSON.stringify(fps([newRoot])));
      await b.rotator.checkNow();
      expect(fps(b.ca.authority.trustBundlePem())).toEqual(fps([newRoot]));
      const data = await secretData(namespace);
      expect(opensslFingerprints(data['ca-cert.pem']!)).toEqual(fps([newRoot]));
      expect(opensslFingerprints(data['root-cert.pem']!)).toEqual(fps([newRoot]));
      expect(data['root-rotation.json']).toBeUndefined();
      expect(logs.text()).not.toContain('PRIVATE KEY');
    }, 60_000);

    it('leaves a plugged-in CA (cacerts) alone and creates no self-signed root', async () => {
      const namespace = await freshNamespace('plugged');
      const root = opensslRoot('root.example', 'ec-pkcs8');
      const signing = opensslIntermediate('cluster.example', root, 'ec-pkcs8');
      await core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: 'cacerts', namespace }, data: { 'ca-cert.pem': b64(signing.certPem), 'ca-key.pem': b64(signing.keyPem), 'cert-chain.pem': b64(signing.certPem + root.certPem), 'root-cert.pem': b64(root.certPem) } },
      });
      const before = (await core.readNamespacedSecret({ namespace, name: 'cacerts' })).metadata?.resourceVersion;
      const clock = new ManualClock(Date.now());
      const r = await replica(namespace, 'replica-plugged', clock);
      expect(r.ca.origin).toBe('plugged-in');
      r.rotator.start();
      expect((await r.rotator.checkNow()).phase).toBe('plugged-in');
      await expect(r.rotator.rotateNow()).rejects.toThrow(/plugged in/);
      expect(clock.nextTimerAt()).toBeUndefined();
      expect((await core.readNamespacedSecret({ namespace, name: 'cacerts' })).metadata?.resourceVersion).toBe(before);
      await expect(core.readNamespacedSecret({ namespace, name: 'istio-ca-secret' })).rejects.toMatchObject({ code: 404 });
      expect(fps(r.ca.authority.trustBundlePem())).toEqual(fps([root.certPem]));
    });
  });
});
