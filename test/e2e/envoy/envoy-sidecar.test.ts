/**
 * A real Envoy as a Bookinfo sidecar of tsiod, over Delta and SotW ADS: it
 * must accept every resource (no update_rejected), warm the reviews subset
 * clusters with their endpoints, and follow a live edit of the weights.
 * Traffic through the sidecar needs iptables capture (the outbound listeners
 * do not bind, as in Istio), so this suite checks config, not requests.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoyBootstrap } from '../../../src/cli/envoy-bootstrap.js';
import { startTsiodUnderTest, type TsiodUnderTest, plaintextXdsPort } from '../../helpers/tsiod-under-test.js';
import { envoyOrSkipBanner, eventually, freePort } from './e2e-support.js';
import { parseStats, startEnvoy, type RunningEnvoy } from './envoy-process.js';

const envoy = envoyOrSkipBanner('The Envoy e2e suite');

describe.skipIf(!envoy.available)('real Envoy as a Bookinfo sidecar', () => {
  let dir: string;
  let t: TsiodUnderTest;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tsiod-envoy-e2e-'));
    await fs.cp('examples/bookinfo', path.join(dir, 'mesh'), { recursive: true });
    t = await startTsiodUnderTest(path.join(dir, 'mesh'));
  });
  afterAll(async () => {
    await t?.tsiod.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const apiType of ['DELTA_GRPC', 'GRPC'] as const) {
    it(`accepts all config over ${apiType} and follows a weight edit`, async () => {
      if (!envoy.available) return;
      const adminPort = await freePort();
      const proxy: RunningEnvoy = await startEnvoy(envoy.launcher, envoyBootstrap({
        xdsHost: '127.0.0.1', xdsPort: plaintextXdsPort(t.tsiod), adminPort, apiType, namespace: 'default',
        nodeId: 'sidecar~127.0.0.1~productpage-v1.default~default.svc.cluster.local', labels: { app: 'productpage', version: 'v1' },
      }), dir, adminPort, apiType === 'GRPC' ? 11 : 12);
      try {
        const stats = async () => parseStats(await proxy.admin('/stats'));
        await eventually('CDS and LDS accepted', async () => {
          const s = await stats();
          return (s.get('cluster_manager.cds.update_success') ?? 0) > 0 && (s.get('listener_manager.lds.update_success') ?? 0) > 0;
        });
        await eventually('reviews v1 endpoint healthy in /clusters', async () =>
          (await proxy.admin('/clusters')).includes('outbound|9080|v1|reviews.default.svc.cluster.local::127.0.0.1:19083::health_flags::healthy'));
        const s = await stats();
        for (const [name, value] of s) if (name.endsWith('update_rejected')) expect([name, value]).toEqual([name, 0]);
        const dump = await proxy.admin('/config_dump');
        expect(dump).toContain('"name": "0.0.0.0_9080"');
        expect(dump).toMatch(/outbound\|9080\|v1\|reviews[^"]*"[^}]*"weight": 60/);

        const routing = path.join(dir, 'mesh', 'reviews-routing.yaml');
        const text = await fs.readFile(routing, 'utf8');
        await fs.writeFile(routing, text.replace(/weight: 60/, 'weight: 50').replace(/weight: 30/, 'weight: 40'));
        await eventually('new weights in the route config', async () => /outbound\|9080\|v1\|reviews[^"]*"[^}]*"weight": 50/.test(await proxy.admin('/config_dump')));
        await fs.writeFile(routing, text);
      } catch (err) {
        process.stdout.write(`--- envoy output ---\n${proxy.output()}\n--- tsiod log ---\n${t.logs.text()}\n`);
        throw err;
      } finally {
        await proxy.stop();
      }
    }, 120_000);
  }
});
