/**
 * Node topology labels on a real apiserver: `tsiod serve` watches Nodes and
 * sends a sidecar EDS whose endpoints carry the region, zone and subzone of
 * the Node their Pod runs on (Istio's getPodLocality); relabelling the Node
 * alone pushes the new locality.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { ClusterType, EndpointType } from '../../../src/xds/proto/type-urls.js';
import { typeForUrl } from '../../../src/xds/proto/envoy-protos.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { plaintextXdsPort } from '../../helpers/tsiod-under-test.js';
import { AdsTestClient, resourceName, sidecarNode, type SotwResponse } from '../../xds/server/support/ads-test-client.js';
import { Cluster, FAST_TUNING, installCrds, pod, service, waitFor } from './cluster.js';

const NS = 'shop';
const WEB = `outbound|9080||web.${NS}.svc.cluster.local`;

const node = (zone: string): KubernetesObject & Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/region': 'us-east1', 'topology.kubernetes.io/zone': zone, 'topology.istio.io/subzone': 'rack-1' } },
});

interface Assignment {
  readonly endpoints: { readonly locality?: Record<string, string>; readonly lbEndpoints: unknown[] }[];
}

function localities(response: SotwResponse): Record<string, string>[] {
  const type = typeForUrl(EndpointType);
  return response.resources.flatMap((a) => (type.toObject(type.decode(a.value)) as Assignment).endpoints.map((e) => e.locality ?? {}));
}

whenKubeEnvAvailable('Node locality in EDS', () => {
  describe('Node locality in EDS', () => {
    let env: KubeEnv;
    let tsiod: RunningTsiod | undefined;
    let client: AdsTestClient | undefined;
    const logs = new LogBuffer();

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- tsiod log ----\n${logs.text()}\n${env.logs()}`);
    });

    afterAll(async () => {
      client?.close();
      await tsiod?.close();
      await env?.stop();
    });

    it("sends each endpoint its Node's locality, and pushes a Node relabel", async () => {
      const cluster = new Cluster(env);
      await cluster.createNamespace(NS);
      await cluster.create(service(NS, 'web'));
      await cluster.create(node('us-east1-b'));
      const web = pod(NS, 'web-1', 'web');
      await cluster.create({ ...web, spec: { ...(web['spec'] as object), nodeName: 'node-a' } });
      await cluster.setPodStatus(NS, 'web-1', '10.1.0.1', true);
      await cluster.create({
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name: 'web-abc', namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.1.0.1'], conditions: { ready: true }, nodeName: 'node-a', targetRef: { kind: 'Pod', name: 'web-1', namespace: NS } }],
        ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
      } as KubernetesObject);

      tsiod = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: 0, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      const running = tsiod;
      await waitFor('the web endpoint with its Node locality', () => running.snapshot().endpoints.get(`web.${NS}.svc.cluster.local`)?.[0]?.locality !== undefined);

      client = new AdsTestClient(plaintextXdsPort(running));
      const s = client.sotw();
      const ack = (r: SotwResponse, names?: string[]): void => s.send({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names });
      s.send({ node: sidecarNode(`sidecar~10.9.0.1~client-1.${NS}~${NS}.svc.cluster.local`), type_url: ClusterType });
      const clusters = await s.next();
      expect(clusters.resources.map(resourceName)).toContain(WEB);
      ack(clusters);
      s.send({ type_url: EndpointType, resource_names: [WEB] });
      const endpoints = await s.next();
      expect(localities(endpoints)).toEqual([{ region: 'us-east1', zone: 'us-east1-b', subZone: 'rack-1' }]);
      ack(endpoints, [WEB]);

      await cluster.update(node('us-east1-b'), (current) => {
        current.metadata!.labels = { ...current.metadata!.labels, 'topology.kubernetes.io/zone': 'us-east1-c' };
      });
      const pushed = await s.next(10_000);
      expect(pushed.type_url).toBe(EndpointType);
      expect(localities(pushed)).toEqual([{ region: 'us-east1', zone: 'us-east1-c', subZone: 'rack-1' }]);
    });
  });
});
