/**
 * A real Envoy without pilot-agent on tsiod's authenticated port (15012):
 * the bootstrap of `tsiod bootstrap --proxy envoy --root-cert --token-file`
 * (TLS verified against tsiod's root, the token on the ADS stream). Envoy
 * must accept every resource, receive SDS `default` (its own SPIFFE
 * certificate) and `ROOTCA` over ADS, and warm the listeners and clusters
 * whose TLS contexts name them (PERMISSIVE inbound chains, auto-mTLS
 * clusters). Runs where ENVOY_BIN or Docker exists; says SKIPPED elsewhere.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoyBootstrap } from '../../../src/cli/envoy-bootstrap.js';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { createLocalToken } from '../../../src/cli/token-create.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { envoyOrSkipBanner, eventually, freePort } from './e2e-support.js';
import { parseStats, startEnvoy, type RunningEnvoy } from './envoy-process.js';

const envoy = envoyOrSkipBanner('The secure Envoy e2e suite');

describe.skipIf(!envoy.available)('real Envoy on the authenticated port (15012)', () => {
  const logs = new LogBuffer();
  let dir: string;
  let tsiod: RunningTsiod;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tsiod-envoy-secure-e2e-'));
    tsiod = await startTsiod({
      configDir: path.resolve('examples/bookinfo'),
      host: '127.0.0.1',
      xdsPort: null,
      securePort: 0,
      monitoringPort: null,
      stateDir: path.join(dir, 'state'),
      logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    });
  }, 60_000);
  afterAll(async () => {
    await tsiod?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('authenticates, gets its own certificate and the trust bundle over ADS, and warms with nothing rejected', async () => {
    if (!envoy.available) return;
    const adminPort = await freePort();
    const token = await createLocalToken({ namespace: 'default', serviceAccount: 'bookinfo-productpage', stateDir: path.join(dir, 'state') });
    const proxy: RunningEnvoy = await startEnvoy(envoy.launcher, envoyBootstrap({
      xdsHost: '127.0.0.1', xdsPort: tsiod.securePort!, adminPort, apiType: 'DELTA_GRPC', namespace: 'default',
      nodeId: 'sidecar~127.0.0.1~productpage-v1.default~default.svc.cluster.local', labels: { app: 'productpage', version: 'v1' },
      serviceAccount: 'bookinfo-productpage',
      secure: { rootCertPem: tsiod.trustBundlePem().join(''), serverName: 'istiod.istio-system.svc', token },
    }), dir, adminPort, 13);
    try {
      const stats = async () => parseStats(await proxy.admin('/stats'));
      await eventually('CDS and LDS accepted', async () => {
        const s = await stats();
        return (s.get('cluster_manager.cds.update_success') ?? 0) > 0 && (s.get('listener_manager.lds.update_success') ?? 0) > 0;
      });
      // Listeners naming SDS secrets warm only once the secrets arrived (initial_fetch_timeout 0s on this stream).
      await eventually('virtualInbound warmed', async () => (await proxy.admin('/listeners')).includes('virtualInbound'), 30_000);
      const s = await stats();
      for (const [name, value] of s) if (name.endsWith('update_rejected')) expect([name, value]).toEqual([name, 0]);

      const dump = JSON.parse(await proxy.admin('/config_dump?resource=dynamic_active_secrets')) as {
        configs: Array<{ name: string; secret: { tls_certificate?: { certificate_chain?: { inline_bytes?: string } } } }>;
      };
      const names = dump.configs.map((c) => c.name).sort();
      expect(names).toEqual(expect.arrayContaining(['ROOTCA', 'default']));
      const chain = dump.configs.find((c) => c.name === 'default')?.secret.tls_certificate?.certificate_chain?.inline_bytes;
      expect(chain).toBeDefined();
      const leaf = new X509Certificate(Buffer.from(chain!, 'base64').toString());
      expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
      expect(logs.text()).not.toMatch(/PRIVATE KEY/);
    } catch (err) {
      process.stdout.write(`--- envoy output ---\n${proxy.output()}\n--- tsiod log ---\n${logs.text()}\n`);
      throw err;
    } finally {
      await proxy.stop();
    }
  }, 120_000);
});
