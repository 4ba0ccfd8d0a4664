/**
 * KubernetesCaStore against a real kube-apiserver: replicas racing to store
 * the self-signed root all end with the one that won; Secrets laid out as
 * istiod writes them (istio-ca-secret) and as operators plug them in
 * (cacerts) are read; errors name the Secret and key and carry no key.
 */
import { CoreV1Api, KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { caKeyMaterial } from '../../../../src/ca/ca-key-material.js';
import { CertificateAuthority } from '../../../../src/ca/certificate-authority.js';
import { KubernetesCaStore } from '../../../../src/ca/kubernetes/kubernetes-ca-store.js';
import { createSelfSignedRoot } from '../../../../src/ca/self-signed-root.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../../helpers/kube-env.js';
import { opensslCertPublicKey, opensslFingerprints, opensslIntermediate, opensslKeyPublicKey, opensslRoot } from '../../../ca/kubernetes/fixtures.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString('utf8');

whenKubeEnvAvailable('KubernetesCaStore on a real kube-apiserver', () => {
  describe('KubernetesCaStore on a real kube-apiserver', () => {
    let env: KubeEnv;
    let core: CoreV1Api;
    const stores: KubernetesCaStore[] = [];
    let namespaceCount = 0;

    /** A fresh namespace per test, so Secrets of one test never meet another's. */
    async function freshNamespace(): Promise<string> {
      const name = `ca-store-${++namespaceCount}`;
      await core.createNamespace({ body: { metadata: { name } } });
      return name;
    }

    /** Each store gets its own KubeConfig, as separate replicas would. */
    function storeFor(namespace: string): KubernetesCaStore {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(env.kubeconfigPath);
      const store = new KubernetesCaStore(kubeConfig, { namespace });
      stores.push(store);
      return store;
    }

    async function createSecret(namespace: string, name: string, data: Record<string, string>, type = 'Opaque'): Promise<void> {
      const body: V1Secret = { metadata: { name, namespace }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) };
      await core.createNamespacedSecret({ namespace, body });
    }

    async function messageOf(promise: Promise<unknown>): Promise<string> {
      try {
        await promise;
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a rejection');
    }

    beforeAll(async () => {
      env = await startKubeEnv();
      core = env.kubeConfig.makeApiClient(CoreV1Api);
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(env.logs());
    });

    afterAll(async () => {
      for (const store of stores) await store.close();
      await env?.stop();
    });

    it('finds neither Secret in a namespace that has none', async () => {
      const store = storeFor(await freshNamespace());
      expect(await store.loadPluggedIn()).toBeUndefined();
      expect(await store.loadSelfSigned()).toBeUndefined();
    });

    it('two replicas saving different roots at once both end with the one stored, in an istio.io/ca-root Secret laid out as istiod writes it', async () => {
      const namespace = await freshNamespace();
      const [first, second] = [storeFor(namespace), storeFor(namespace)];
      const [rootA, rootB] = await Promise.all([
        createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' }),
        createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' }),
      ]);
      expect(opensslFingerprints(rootA.signingCertPem)).not.toEqual(opensslFingerprints(rootB.signingCertPem));

      const [savedA, savedB] = await Promise.all([first!.saveSelfSignedIfAbsent(rootA), second!.saveSelfSignedIfAbsent(rootB)]);
      const winner = opensslFingerprints(savedA.signingCertPem);
      expect(opensslFingerprints(savedB.signingCertPem)).toEqual(winner);
      expect([opensslFingerprints(rootA.signingCertPem), opensslFingerprints(rootB.signingCertPem)]).toContainEqual(winner);
      // The loser got the winner's key too, not its own.
      expect(opensslKeyPublicKey(savedA.signingKeyPem)).toBe(opensslCertPublicKey(savedA.signingCertPem));
      expect(opensslKeyPublicKey(savedB.signingKeyPem)).toBe(opensslCertPublicKey(savedB.signingCertPem));

      // A third replica starting later loads the same root.
      const loaded = await storeFor(namespace).loadSelfSigned();
      expect(opensslFingerprints(loaded!.signingCertPem)).toEqual(winner);
      expect(loaded!.rootCertsPem.flatMap(opensslFingerprints)).toEqual(winner);

      // istiod's BuildSecret(CASecret, ns, nil, nil, root, root, key, "istio.io/ca-root").
      const secret = await core.readNamespacedSecret({ namespace, name: 'istio-ca-secret' });
      expect(secret.type).toBe('istio.io/ca-root');
      expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'key.pem', 'root-cert.pem']);
      expect(opensslFingerprints(unb64(secret.data?.['ca-cert.pem']))).toEqual(winner);
      expect(opensslFingerprints(unb64(secret.data?.['root-cert.pem']))).toEqual(winner);
      expect(opensslKeyPublicKey(unb64(secret.data?.['ca-key.pem']))).toBe(opensslCertPublicKey(unb64(secret.data?.['ca-cert.pem'])));
      expect(unb64(secret.data?.['cert-chain.pem'])).toBe('');
      expect(unb64(secret.data?.['key.pem'])).toBe('');
    });

    it("reads an istio-ca-secret istiod wrote (PKCS#1 RSA key) and hands back the same root with its key as PKCS#8", async () => {
      const namespace = await freshNamespace();
      const root = opensslRoot('cluster.local', 'rsa-pkcs1');
      await createSecret(namespace, 'istio-ca-secret', { 'ca-cert.pem': root.certPem, 'ca-key.pem': root.keyPem, 'root-cert.pem': root.certPem, 'cert-chain.pem': '', 'key.pem': '' }, 'istio.io/ca-root');
      const store = storeFor(namespace);
      const m = await store.loadSelfSigned();
      expect(m?.source).toBe('self-signed');
      expect(opensslFingerprints(m!.signingCertPem)).toEqual(opensslFingerprints(root.certPem));
      expect(m!.signingKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(opensslKeyPublicKey(m!.signingKeyPem)).toBe(opensslCertPublicKey(root.certPem));
      expect(m!.rootCertsPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(root.certPem));

      // Saving again keeps what is stored: the Secret is not replaced.
      const fresh = await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' });
      const kept = await store.saveSelfSignedIfAbsent(fresh);
      expect(opensslFingerprints(kept.signingCertPem)).toEqual(opensslFingerprints(root.certPem));
    });

    it("loads a plugged-in intermediate from cacerts in istiod's layout, intermediates between it and the root", async () => {
      const namespace = await freshNamespace();
      const root = opensslRoot('root.example', 'rsa-pkcs8');
      const middle = opensslIntermediate('middle.example', root, 'ec-pkcs8');
      const signing = opensslIntermediate('signing.example', middle, 'ec-sec1');
      await createSecret(namespace, 'cacerts', {
        'ca-cert.pem': signing.certPem,
        'ca-key.pem': signing.keyPem,
        'cert-chain.pem': signing.certPem + middle.certPem + root.certPem,
        'root-cert.pem': root.certPem,
      });
      const m = await storeFor(namespace).loadPluggedIn();
      expect(m?.source).toBe('plugged-in');
      expect(opensslFingerprints(m!.signingCertPem)).toEqual(opensslFingerprints(signing.certPem));
      expect(m!.intermediatesPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(middle.certPem));
      expect(m!.rootCertsPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(root.certPem));
      expect(opensslKeyPublicKey(m!.signingKeyPem)).toBe(opensslCertPublicKey(signing.certPem));
      // The CA accepts it as loaded: the chain from the signing cert reaches the root.
      await expect(CertificateAuthority.fromKeyMaterial(m!, { trustDomain: 'cluster.local' })).resolves.toBeDefined();
    });

    it('loads a plugged-in CA from a kubernetes.io/tls cacerts (tls.crt, tls.key, ca.crt)', async () => {
      const namespace = await freshNamespace();
      const root = opensslRoot('root.example', 'ec-pkcs8');
      const signing = opensslIntermediate('signing.example', root, 'rsa-pkcs1');
      await createSecret(namespace, 'cacerts', { 'tls.crt': signing.certPem, 'tls.key': signing.keyPem, 'ca.crt': root.certPem }, 'kubernetes.io/tls');
      const m = await storeFor(namespace).loadPluggedIn();
      expect(opensslFingerprints(m!.signingCertPem)).toEqual(opensslFingerprints(signing.certPem));
      expect(m!.intermediatesPem).toEqual([]);
      expect(m!.rootCertsPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(root.certPem));
    });

    it('an incomplete or unusable cacerts is an error naming the Secret and key, never quoting the key', async () => {
      const namespace = await freshNamespace();
      const root = opensslRoot('root.example');
      const signing = opensslIntermediate('signing.example', root, 'rsa-pkcs8');
      await createSecret(namespace, 'cacerts', { 'ca-cert.pem': signing.certPem, 'ca-key.pem': signing.keyPem });
      const store = storeFor(namespace);
      const incomplete = await messageOf(store.loadPluggedIn());
      expect(incomplete).toContain(`Secret ${namespace}/cacerts`);
      expect(incomplete).toContain('cert-chain.pem');
      expect(incomplete).toContain('root-cert.pem');

      const stranger = opensslRoot('stranger.example', 'rsa-pkcs8');
      await core.replaceNamespacedSecret({
        namespace,
        name: 'cacerts',
        body: { metadata: { name: 'cacerts', namespace }, data: { 'ca-cert.pem': b64(signing.certPem), 'ca-key.pem': b64(stranger.keyPem), 'cert-chain.pem': '', 'root-cert.pem': b64(root.certPem) } },
      });
      const mismatched = await messageOf(store.loadPluggedIn());
      expect(mismatched).toContain(`Secret ${namespace}/cacerts`);
      expect(mismatched).toMatch(/ca-key\.pem does not match the certificate in ca-cert\.pem/);

      for (const message of [incomplete, mismatched]) {
        expect(message).not.toMatch(/PRIVATE KEY/);
        for (const key of [signing.keyPem, stranger.keyPem]) {
          const body = key.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
          for (let i = 0; i + 40 <= body.length; i += 40) expect(message).not.toContain(body.slice(i, i + 40));
          expect(message).not.toContain(b64(key).slice(0, 40));
        }
      }
    });

    it('a Secret the store cannot create is an error naming it, without the key it was given', async () => {
      const root = await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' });
      // No such namespace: the create is refused.
      const message = await messageOf(storeFor('no-such-namespace').saveSelfSignedIfAbsent(root));
      expect(message).toContain('Secret no-such-namespace/istio-ca-secret');
      expect(message).not.toMatch(/PRIVATE KEY/);
      expect(message).not.toContain(b64(root.signingKeyPem).slice(0, 40));
      // Plugged-in material never goes into istio-ca-secret.
      const plugged = caKeyMaterial({ ...root, signingKeyPem: root.signingKeyPem, source: 'plugged-in' });
      expect(await messageOf(storeFor(await freshNamespace()).saveSelfSignedIfAbsent(plugged))).toMatch(/istio-ca-secret holds a self-signed root/);
    });

    it('describes itself by Secret names, never by content', () => {
      const description = storeFor('istio-system').describe();
      expect(description).toContain('istio-system/cacerts');
      expect(description).toContain('istio-system/istio-ca-secret');
    });
  });
});
