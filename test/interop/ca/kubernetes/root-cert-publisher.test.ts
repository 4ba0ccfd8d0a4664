/**
 * RootCertPublisher against a real kube-apiserver, checked as istiod's
 * namespace controller behaves: ConfigMap istio-ca-root-cert (root-cert.pem
 * = the trust bundle, label istio.io/config=true) in every namespace but
 * kube-public, kube-node-lease and local-path-storage; a new namespace gets
 * one; a deleted one comes back; an edited root-cert.pem is set back (other
 * keys kept); update() rewrites them all. The bundle is compared by the
 * certificates' fingerprints as openssl reads them.
 */
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RootCertPublisher } from '../../../../src/ca/kubernetes/root-cert-publisher.js';
import { LogBuffer } from '../../../helpers/log-buffer.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../../helpers/kube-env.js';
import { eventually, opensslFingerprints, opensslRoot } from '../../../ca/kubernetes/fixtures.js';

const CONFIG_MAP = 'istio-ca-root-cert';
/** istiod's inject.IgnoredNamespaces minus kube-system (namespacecontroller.go). */
const EXCLUDED = ['kube-public', 'kube-node-lease', 'local-path-storage'];

whenKubeEnvAvailable('RootCertPublisher on a real kube-apiserver', () => {
  describe('RootCertPublisher on a real kube-apiserver', () => {
    let env: KubeEnv;
    let core: CoreV1Api;
    let publisher: RootCertPublisher | undefined;
    const logs = new LogBuffer();
    const oldRoot = opensslRoot('cluster.local', 'ec-pkcs8');
    const newRoot = opensslRoot('cluster.local', 'rsa-pkcs8');
    let bundle: readonly string[] = [oldRoot.certPem];

    async function namespaceNames(): Promise<string[]> {
      return (await core.listNamespace()).items.map((ns) => ns.metadata?.name ?? '');
    }

    async function configMapIn(namespace: string): Promise<V1ConfigMap | undefined> {
      try {
        return await core.readNamespacedConfigMap({ namespace, name: CONFIG_MAP });
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    }

    /** The ConfigMap holds exactly the current bundle, in order, and carries the label. */
    function holdsBundle(configMap: V1ConfigMap | undefined): boolean {
      const text = configMap?.data?.['root-cert.pem'];
      if (text === undefined || configMap?.metadata?.labels?.['istio.io/config'] !== 'true') return false;
      return JSON.stringify(opensslFingerprints(text)) === JSON.stringify(bundle.flatMap(opensslFingerprints));
    }

    async function createNamespace(name: string): Promise<void> {
      await core.createNamespace({ body: { metadata: { name } } });
    }

    beforeAll(async () => {
      env = await startKubeEnv();
      core = env.kubeConfig.makeApiClient(CoreV1Api);
      // kube-apiserver makes default, kube-system, kube-public and kube-node-lease itself; kind adds local-path-storage.
      for (const name of ['istio-system', 'app-a', 'app-b', 'local-path-storage']) await createNamespace(name);
      await eventually('the apiserver\'s system namespaces', async () => (await namespaceNames()).includes('kube-node-lease'));
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- publisher log ----\n${logs.text()}\n${env.logs()}`);
    });

    afterAll(async () => {
      await publisher?.stop();
      await env?.stop();
    });

    it('once started, every namespace but the excluded ones holds the trust bundle', async () => {
      publisher = new RootCertPublisher(env.kubeConfig, { logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }) });
      await publisher.start(bundle);
      const all = await namespaceNames();
      expect(all).toEqual(expect.arrayContaining(['default', 'kube-system', 'istio-system', 'app-a', 'app-b', ...EXCLUDED]));
      for (const namespace of all) {
        const configMap = await configMapIn(namespace);
        if (EXCLUDED.includes(namespace)) expect(configMap, namespace).toBeUndefined();
        else expect(holdsBundle(configMap), `${namespace}: ${JSON.stringify(configMap?.data)}`).toBe(true);
      }
    });

    it('a namespace created later gets the ConfigMap', async () => {
      await createNamespace('app-late');
      await eventually('istio-ca-root-cert in app-late', async () => holdsBundle(await configMapIn('app-late')));
    });

    it('a deleted ConfigMap is created again', async () => {
      await core.deleteNamespacedConfigMap({ namespace: 'app-a', name: CONFIG_MAP });
      await eventually('istio-ca-root-cert back in app-a', async () => holdsBundle(await configMapIn('app-a')));
    });

    it('an edited root-cert.pem is set back, and keys someone else added stay', async () => {
      const current = (await configMapIn('app-b'))!;
      await core.replaceNamespacedConfigMap({
        namespace: 'app-b',
        name: CONFIG_MAP,
        body: { ...current, data: { 'root-cert.pem': newRoot.certPem, 'extra.txt': 'kept' } },
      });
      await eventually('root-cert.pem restored in app-b', async () => holdsBundle(await configMapIn('app-b')));
      expect((await configMapIn('app-b'))?.data?.['extra.txt']).toBe('kept');
    });

    it('update() writes the new bundle into every namespace before it resolves, and still none into the excluded ones', async () => {
      bundle = [newRoot.certPem, oldRoot.certPem];
      await publisher!.update(bundle);
      const all = await namespaceNames();
      for (const namespace of all) {
        const configMap = await configMapIn(namespace);
        if (EXCLUDED.includes(namespace)) expect(configMap, namespace).toBeUndefined();
        else expect(holdsBundle(configMap), `${namespace}: ${JSON.stringify(configMap?.data)}`).toBe(true);
      }
      // And a namespace made after the update gets the new bundle.
      await createNamespace('app-later');
      await eventually('the new bundle in app-later', async () => holdsBundle(await configMapIn('app-later')));
    });
  });
});
