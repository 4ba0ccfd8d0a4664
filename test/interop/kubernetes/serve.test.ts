/**
 * `tsiod serve` on a cluster: not ready until every kind has synced, then
 * serving the cluster's Services and EndpointSlices to a sidecar over ADS,
 * and pushing a change made in the cluster, through the same push path as
 * the directory source.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { ClusterType, EndpointType } from '../../../src/xds/proto/type-urls.js';
import { typeForUrl } from '../../../src/xds/proto/envoy-protos.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { AdsTestClient, resourceName, sidecarNode, type SotwResponse } from '../../xds/server/support/ads-test-client.js';
import { Cluster, endpointSlice, FAST_TUNING, installCrds, service, waitFor } from './cluster.js';
import { plaintextXdsPort } from '../../helpers/tsiod-under-test.js';

const REVIEWS = 'outbound|9080||reviews.bookinfo.svc.cluster.local';
const RATINGS = 'outbound|9080||ratings.bookinfo.svc.cluster.local';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

whenKubeEnvAvailable('tsiod serve --kubeconfig', () => {
  describe('tsiod serve --kubeconfig', () => {
    let env: KubeEnv;
    let tsiod: RunningTsiod | undefined;
    let client: AdsTestClient | undefined;
    const logs = new LogBuffer();

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
      const cluster = new Cluster(env);
      await cluster.createNamespace('bookinfo');
      await cluster.create(service('bookinfo', 'reviews'));
      await cluster.create(endpointSlice('bookinfo', 'reviews', ['10.1.0.1', '10.1.0.2']));
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- tsiod log ----\n${logs.text()}\n${env.logs()}`);
    });

    afterAll(async () => {
      client?.close();
      await tsiod?.close();
      await env?.stop();
    });

    it('is not ready until every kind has synced, then serves the cluster over ADS and pushes its changes', async () => {
      // Start cut off from the apiserver: start-up gives up waiting after its sync timeout and serves, unready.
      await env.cutProxy();
      const { syncTimeoutMs: _unused, ...tuning } = FAST_TUNING;
      tsiod = await startTsiod({
        kubernetes: { kubeconfig: env.proxiedKubeconfigPath, ...tuning, syncTimeoutMs: 1_000 },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: 0, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      const running = tsiod;
      const monitoring = running.monitoringPort!;
      expect((await get(monitoring, '/ready')).status).toBe(503);
      expect((await get(monitoring, '/metrics')).body).toMatch(/^tsiod_k8s_synced\{kind="Service"\} 0$/m);
      expect(running.snapshot().services.size).toBe(0);
      expect(logs.text()).toMatch(/not synced after 1 s: Namespace/);

      await env.restoreProxy();
      await waitFor('/ready', async () => (await get(monitoring, '/ready')).status === 200, 20_000);
      const metrics = (await get(monitoring, '/metrics')).body;
      expect(metrics).toMatch(/^tsiod_k8s_synced\{kind="EndpointSlice"\} 1$/m);
      expect(metrics).toMatch(/^tsiod_k8s_seconds_since_last_event\{kind="Service"\} \d/m);
      await waitFor('the reviews Service in the snapshot', () => running.snapshot().services.has('reviews.bookinfo.svc.cluster.local'));

      client = new AdsTestClient(plaintextXdsPort(running));
      const s = client.sotw();
      const ack = (r: SotwResponse, names?: string[]): void => s.send({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names });
      s.send({ node: sidecarNode('sidecar~10.9.0.1~productpage-1.bookinfo~bookinfo.svc.cluster.local'), type_url: ClusterType });
      const clusters = await s.next();
      expect(clusters.resources.map(resourceName)).toContain(REVIEWS);
      ack(clusters);
      s.send({ type_url: EndpointType, resource_names: [REVIEWS] });
      const endpoints = await s.next();
      const type = typeForUrl(EndpointType);
      const [assignment] = endpoints.resources.map((a) => type.toObject(type.decode(a.value)) as { endpoints: { lbEndpoints: { endpoint: { address: { socketAddress: { address: string } } } }[] }[] });
      expect(assignment!.endpoints.flatMap((e) => e.lbEndpoints.map((l) => l.endpoint.address.socketAddress.address)).sort()).toEqual(['10.1.0.1', '10.1.0.2']);
      ack(endpoints, [REVIEWS]);

      // A Service created in the cluster reaches the sidecar as a CDS push.
      await new Cluster(env).create(service('bookinfo', 'ratings'));
      const pushed = await s.next(10_000);
      expect(pushed.type_url).toBe(ClusterType);
      expect(pushed.resources.map(resourceName)).toEqual(expect.arrayContaining([REVIEWS, RATINGS]));
    });
  });
});
