/**
 * The Kubernetes source against a real kube-apiserver: every kind's initial
 * sync, changes flowing into the store as ChangeSets, an invalid object left
 * out alone, and a resync that changes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changedKeys } from '../../../src/config/change-set.js';
import { KUBE_KINDS } from '../../../src/config/kubernetes/kind-table.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, endpointSlice, installCrds, pod, service, virtualService, waitFor, type SourceUnderTest } from './cluster.js';

whenKubeEnvAvailable('Kubernetes source', () => {
  describe('Kubernetes source', () => {
    let env: KubeEnv;
    let cluster: Cluster;
    let under: SourceUnderTest | undefined;

    beforeAll(async () => {
      env = await startKubeEnv();
      cluster = new Cluster(env);
      await installCrds(env.kubeConfig);
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail' && under) console.error(`---- source log ----\n${under.logs.text()}\n${env.logs()}`);
      await under?.source.close();
      under = undefined;
    });

    afterAll(async () => {
      await env?.stop();
    });

    it('syncs every kind on start, as ConfigObjects the pipeline reads', async () => {
      const ns = 'initial';
      await cluster.createNamespace(ns);
      await cluster.create(service(ns, 'reviews'));
      await cluster.create(endpointSlice(ns, 'reviews', ['10.1.0.1', '10.1.0.2']));
      await cluster.create(pod(ns, 'reviews-1', 'reviews'));
      await cluster.setPodStatus(ns, 'reviews-1', '10.1.0.1', true);
      await cluster.create(virtualService(ns, 'reviews', ['reviews']));
      const istio: [string, string, Record<string, unknown>][] = [
        ['networking.istio.io/v1', 'DestinationRule', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }],
        ['networking.istio.io/v1', 'Gateway', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }],
        ['networking.istio.io/v1', 'ServiceEntry', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' }],
        ['networking.istio.io/v1', 'Sidecar', { egress: [{ hosts: ['./*'] }] }],
        ['networking.istio.io/v1', 'WorkloadEntry', { address: '10.2.0.1', labels: { app: 'vm' } }],
        ['security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'STRICT' } }],
        ['security.istio.io/v1', 'AuthorizationPolicy', { action: 'ALLOW', rules: [{}] }],
        ['security.istio.io/v1', 'RequestAuthentication', { jwtRules: [{ issuer: 'https://issuer.example.com' }] }],
      ];
      for (const [apiVersion, kind, spec] of istio) await cluster.create({ apiVersion, kind, metadata: { name: kind.toLowerCase(), namespace: ns }, spec } as never);

      under = createSource(env.kubeconfigPath);
      const initial = await under.source.start();
      expect(under.source.synced()).toBe(true);
      const keys = [...initial.changes.added];
      expect(keys).toEqual(expect.arrayContaining([
        'Namespace//initial', 'Namespace//default', 'Service/initial/reviews', 'Service/default/kubernetes', 'EndpointSlice/initial/reviews-abc',
        'Pod/initial/reviews-1', 'VirtualService/initial/reviews',
        ...istio.map(([, kind]) => `${kind}/${ns}/${kind.toLowerCase()}`),
      ]));
      for (const kind of KUBE_KINDS) expect(await under.metric('tsiod_k8s_synced', { kind: kind.kind }), kind.kind).toBe(1);
      expect(initial.errors).toEqual([]);

      const store = under.source.store;
      const svc = store.get('Service/initial/reviews');
      expect(svc?.source).toBe('k8s:Service/initial/reviews');
      expect(svc?.apiVersion).toBe('v1');
      expect(svc?.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(svc?.content['kind']).toBe('Service');
      expect(svc?.content['status']).toBeUndefined();
      expect((svc?.content['metadata'] as Record<string, unknown>)['managedFields']).toBeUndefined();
      expect(Object.isFrozen(svc?.content)).toBe(true);
      expect((store.get('Pod/initial/reviews-1')?.content['status'] as { podIP?: string }).podIP).toBe('10.1.0.1');
      expect(store.get('Namespace//initial')?.metadata.namespace).toBe('');
      expect(store.get('VirtualService/initial/reviews')?.content['spec']).toEqual({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] });
      expect(under.updates).toEqual([]);
    });

    it('reports adds, updates and deletes as ChangeSets, and a status-only write as nothing', async () => {
      const ns = 'changes';
      await cluster.createNamespace(ns);
      under = createSource(env.kubeconfigPath);
      await under.source.start();
      const { source, updates } = under;
      const seen = (): string[] => updates.flatMap((u) => changedKeys(u.changes));

      await cluster.create(service(ns, 'ratings'));
      await waitFor('the Service added', () => updates.some((u) => u.changes.added.has('Service/changes/ratings')));
      expect(updates.find((u) => u.changes.added.has('Service/changes/ratings'))?.changes.kinds).toEqual(new Set(['Service']));

      await cluster.update(service(ns, 'ratings'), (current) => {
        (current as unknown as { spec: { ports: { port: number }[] } }).spec.ports[0]!.port = 9090;
      });
      await waitFor('the Service updated', () => updates.some((u) => u.changes.updated.has('Service/changes/ratings')));
      expect((source.store.get('Service/changes/ratings')?.content['spec'] as { ports: { port: number }[] }).ports[0]?.port).toBe(9090);

      // A Service's status is not read: writing it must not reach the push path.
      const before = updates.length;
      const current = await cluster.core.readNamespacedService({ name: 'ratings', namespace: ns });
      current.status = { conditions: [{ type: 'example.com/Probed', status: 'True', reason: 'Test', message: 'status only', lastTransitionTime: new Date() }] };
      const written = await cluster.core.replaceNamespacedServiceStatus({ name: 'ratings', namespace: ns, body: current });
      await waitFor('the status write seen', () => source.store.get('Service/changes/ratings')?.metadata.resourceVersion === written.metadata?.resourceVersion);
      expect(updates.length).toBe(before);

      await cluster.create(pod(ns, 'ratings-1', 'ratings'));
      await cluster.setPodStatus(ns, 'ratings-1', '10.3.0.1', true);
      await waitFor('the Pod status', () => (source.store.get('Pod/changes/ratings-1')?.content['status'] as { podIP?: string } | undefined)?.podIP === '10.3.0.1');

      await cluster.delete(service(ns, 'ratings'));
      await cluster.delete(pod(ns, 'ratings-1', 'ratings'));
      await waitFor('the deletes', () => source.store.get('Service/changes/ratings') === undefined && source.store.get('Pod/changes/ratings-1') === undefined);
      expect(seen()).toEqual(expect.arrayContaining(['Service/changes/ratings', 'Pod/changes/ratings-1']));
      expect(updates.some((u) => u.changes.removed.has('Service/changes/ratings'))).toBe(true);
    });

    it('leaves an invalid VirtualService out alone, and serves it once it is fixed', async () => {
      const ns = 'invalid';
      await cluster.createNamespace(ns);
      await cluster.create(virtualService(ns, 'good', ['reviews']));
      await cluster.create(virtualService(ns, 'bad', ['*']));
      under = createSource(env.kubeconfigPath);
      const initial = await under.source.start();
      const { source, errors } = under;
      expect(source.store.get('VirtualService/invalid/good')).toBeDefined();
      expect(source.store.get('VirtualService/invalid/bad')).toBeUndefined();
      const expected = 'k8s:VirtualService/invalid/bad VirtualService invalid/bad: spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway';
      expect(errors).toEqual([expected]);
      expect(initial.errors.map((e) => e.path)).toEqual(['spec.hosts[0]']);

      // A valid object turned invalid goes away; the rest stays.
      await cluster.update(virtualService(ns, 'good', []), (current) => {
        (current as unknown as { spec: { hosts: string[] } }).spec.hosts = ['*'];
      });
      await waitFor('the broken VirtualService removed', () => source.store.get('VirtualService/invalid/good') === undefined);
      expect(errors.at(-1)).toMatch(/VirtualService invalid\/good: spec.hosts\[0\]: wildcard host \* is not allowed/);
      expect(source.store.get('Service/default/kubernetes')).toBeDefined();

      await cluster.update(virtualService(ns, 'bad', []), (current) => {
        (current as unknown as { spec: { hosts: string[] } }).spec.hosts = ['ratings'];
      });
      await waitFor('the fixed VirtualService served', () => source.store.get('VirtualService/invalid/bad') !== undefined);
      expect(source.errors().map((e) => e.name)).toEqual(['good']);
    });

    it('a periodic resync re-lists without reporting changes when nothing changed', async () => {
      under = createSource(env.kubeconfigPath, { resyncMs: 300, kinds: KUBE_KINDS.filter((k) => k.kind === 'Service' || k.kind === 'Namespace') });
      await under.source.start();
      const u = under;
      await waitFor('two resyncs of each kind', async () => (await u.metric('tsiod_k8s_relists_total', { kind: 'Service' })) >= 2 && (await u.metric('tsiod_k8s_relists_total', { kind: 'Namespace' })) >= 2);
      expect(u.updates).toEqual([]);
      expect(await u.metric('tsiod_k8s_watch_restarts_total', { kind: 'Service', reason: 'error' })).toBe(0);
    });
  });
});
