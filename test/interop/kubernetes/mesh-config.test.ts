/**
 * The mesh config from a real apiserver: `tsiod serve` watches the ConfigMap
 * `istio` in the system namespace (only that one), and an edit of its
 * data.mesh reaches the snapshot; an invalid edit is logged and the last
 * good mesh config stays.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { DEFAULT_MESH_CONFIG } from '../../../src/model/types.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { Cluster, createSource, FAST_TUNING, installCrds, waitFor, type SourceUnderTest } from './cluster.js';

const meshConfigMap = (namespace: string, name: string, mesh: string): KubernetesObject & { data: Record<string, string> } => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { mesh },
});

whenKubeEnvAvailable('the mesh config ConfigMap', () => {
  describe('the mesh config ConfigMap', () => {
    let env: KubeEnv;
    let cluster: Cluster;
    let tsiod: RunningTsiod | undefined;
    let under: SourceUnderTest | undefined;
    const logs = new LogBuffer();

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
      cluster = new Cluster(env);
      await cluster.createNamespace('istio-system');
      await cluster.createNamespace('other');
      await cluster.create(meshConfigMap('istio-system', 'istio', 'trustDomain: first.example\n'));
      // Neither is the mesh config: another name, another namespace.
      await cluster.create(meshConfigMap('istio-system', 'istio-sidecar-injector', 'trustDomain: wrong.example\n'));
      await cluster.create(meshConfigMap('other', 'istio', 'trustDomain: wrong.example\n'));
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- tsiod log ----\n${logs.text()}\n${under?.logs.text() ?? ''}\n${env.logs()}`);
    });

    afterAll(async () => {
      await under?.source.close();
      await tsiod?.close();
      await env?.stop();
    });

    it('stores only the istio ConfigMap of the system namespace', async () => {
      under = createSource(env.kubeconfigPath);
      await under.source.start();
      const configMaps = [...under.source.store.objects().keys()].filter((key) => key.startsWith('ConfigMap/'));
      expect(configMaps).toEqual(['ConfigMap/istio-system/istio']);
      await under.source.close();
      under = undefined;
    });

    it('reaches the snapshot, and each change of trustDomain or the outbound policy does too', async () => {
      tsiod = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      const running = tsiod;
      expect(running.snapshot().mesh).toEqual({ ...DEFAULT_MESH_CONFIG, trustDomain: 'first.example' });

      const istio = meshConfigMap('istio-system', 'istio', '');
      await cluster.update(istio, (current) => {
        (current as typeof istio).data = { mesh: 'trustDomain: second.example\noutboundTrafficPolicy:\n  mode: REGISTRY_ONLY\nenableAutoMtls: true\n' };
      });
      await waitFor('the new mesh config in the snapshot', () => running.snapshot().mesh.trustDomain === 'second.example', 20_000, () => logs.text());
      expect(running.snapshot().mesh).toEqual({ ...DEFAULT_MESH_CONFIG, trustDomain: 'second.example', outboundTrafficPolicy: 'REGISTRY_ONLY' });

      // Invalid: logged with the ConfigMap and the field; the last good mesh config stays.
      const before = running.snapshot();
      await cluster.update(istio, (current) => {
        (current as typeof istio).data = { mesh: 'trustDomain: third.example\noutboundTrafficPolicy: {mode: SOMETIMES}\n' };
      });
      await waitFor('the invalid mesh config logged', () => logs.text().includes('data.mesh.outboundTrafficPolicy.mode: must be ALLOW_ANY or REGISTRY_ONLY'), 20_000);
      expect(logs.text()).toContain('ConfigMap istio-system/istio');
      expect(running.snapshot().mesh).toBe(before.mesh);

      // Deleted: the defaults again.
      await cluster.delete(istio);
      await waitFor('the default mesh config', () => running.snapshot().mesh.trustDomain === DEFAULT_MESH_CONFIG.trustDomain, 20_000, () => logs.text());
      expect(running.snapshot().mesh).toEqual(DEFAULT_MESH_CONFIG);
    });
  });
});
