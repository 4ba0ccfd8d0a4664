/**
 * The mesh config from a real apiserver: `tsiod serve` watches the ConfigMap
 * `istio` in the system namespace (only that one), and an edit of its
 * data.mesh reaches the snapshot; an invalid edit is logged and the last
 * good mesh config stays. With --revision canary it is `istio-canary`
 * instead, as a revisioned istiod reads; with --mesh-config the file wins
 * over the ConfigMap and its edits are followed.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
      await cluster.create(meshConfigMap('istio-system', 'istio-canary', 'trustDomain: canary.example\n'));
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

    it('reads and follows ConfigMap istio-<revision> instead with a revision, leaving istio alone', async () => {
      const canary = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        revision: 'canary',
        host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      try {
        expect(canary.snapshot().mesh).toEqual({ ...DEFAULT_MESH_CONFIG, trustDomain: 'canary.example' });
        const istioCanary = meshConfigMap('istio-system', 'istio-canary', '');
        await cluster.update(istioCanary, (current) => {
          (current as typeof istioCanary).data = { mesh: 'trustDomain: canary2.example\n' };
        });
        await waitFor('the canary ConfigMap edit in the snapshot', () => canary.snapshot().mesh.trustDomain === 'canary2.example', 20_000, () => logs.text());
        // The default revision's ConfigMap is not this control plane's.
        const before = canary.snapshot();
        await cluster.update(meshConfigMap('istio-system', 'istio', ''), (current) => {
          (current as ReturnType<typeof meshConfigMap>).data = { mesh: 'trustDomain: first.example\nrootNamespace: not-canary\n' };
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(canary.snapshot().mesh).toBe(before.mesh);
      } finally {
        await canary.close();
        await cluster.update(meshConfigMap('istio-system', 'istio', ''), (current) => {
          (current as ReturnType<typeof meshConfigMap>).data = { mesh: 'trustDomain: first.example\n' };
        });
      }
    });

    it('reads --mesh-config over the ConfigMap, and follows edits of the file as a mounted ConfigMap updates it', async () => {
      // Laid out as the kubelet mounts a ConfigMap: mesh → ..data/mesh, ..data → a timestamped directory, swapped on update.
      const dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-mesh-file-'));
      const file = path.join(dir, 'mesh');
      let version = 0;
      const publish = async (text: string): Promise<void> => {
        version += 1;
        const target = `..v${version}`;
        await mkdir(path.join(dir, target));
        await writeFile(path.join(dir, target, 'mesh'), text);
        await symlink(target, path.join(dir, '..data_tmp'));
        await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
      };
      await publish('trustDomain: file.example\n');
      await symlink('..data/mesh', file);
      const fromFile = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        meshConfigFile: file,
        host: '127.0.0.1', xdsPort: 0, monitoringPort: null, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      try {
        expect(fromFile.snapshot().mesh.trustDomain).toBe('file.example');
        await publish('trustDomain: file2.example\noutboundTrafficPolicy: {mode: REGISTRY_ONLY}\n');
        await waitFor('the file edit in the snapshot', () => fromFile.snapshot().mesh.trustDomain === 'file2.example', 20_000, () => logs.text());
        expect(fromFile.snapshot().mesh.outboundTrafficPolicy).toBe('REGISTRY_ONLY');
        // An invalid edit is logged; the previous mesh config stays.
        const before = fromFile.snapshot();
        await publish('outboundTrafficPolicy: {mode: SOMETIMES}\n');
        await waitFor('the invalid file logged', () => logs.text().includes(`--mesh-config ${file}`) && logs.text().includes('keeping the previous mesh config'), 20_000, () => logs.text());
        expect(fromFile.snapshot().mesh).toBe(before.mesh);
      } finally {
        await fromFile.close();
        await rm(dir, { recursive: true, force: true });
      }
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
