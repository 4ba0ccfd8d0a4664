/**
 * The done-criterion, with the real kubectl: deploy/webhook.yaml is
 * applied to a real kube-apiserver (its clientConfig pointed at this test's
 * tsiod, as there is no Service routing here, and no caBundle), tsiod fills
 * in the caBundle and switches failurePolicy to Fail once a dry run proves
 * it denies, then `kubectl apply` of an invalid VirtualService is refused
 * with tsiod's message and a valid one is created. tsiod reacts to the
 * configuration through a watch (its periodic pass is set to a minute here,
 * longer than any wait below): someone re-applying the manifest or writing
 * another CA is put right at once, configurations of other revisions are
 * left alone, and two tsiods with their own certificates do not take turns
 * rewriting the caBundle as fast as the apiserver answers.
 */
import { AdmissionregistrationV1Api, loadYaml, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { goPeerPath, goPeerProblem, peersRequired } from '../../helpers/interop-peers.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { Cluster, FAST_TUNING, installCrds, waitFor } from './cluster.js';

const WEBHOOK_YAML = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/webhook.yaml');
const CONFIG_NAME = 'istio-validator-istio-system';
/** Longer than any wait in this suite: only the watch and the fail-close retries can make tsiod act in time. */
const RESYNC_MS = 3_600_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function kubectl(kubeconfig: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(goPeerPath('kubectl'), ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const kubectlProblem = goPeerProblem('kubectl');

whenKubeEnvAvailable('kubectl apply against tsiod\'s webhook', () => {
  describe('kubectl apply against tsiod\'s webhook (deploy/webhook.yaml)', () => {
    if (kubectlProblem !== null && !peersRequired()) {
      it.skip(`SKIPPED: kubectl not provisioned (run npm run test:interop): ${kubectlProblem}`, () => undefined);
      return;
    }
    let env: KubeEnv;
    let tsiod: RunningTsiod | undefined;
    let dir: string;
    let admission: AdmissionregistrationV1Api;
    let manifest: string;
    const logs = new LogBuffer();
    const current = (): Promise<V1ValidatingWebhookConfiguration> => admission.readValidatingWebhookConfiguration({ name: CONFIG_NAME });

    beforeAll(async () => {
      if (kubectlProblem !== null) throw new Error(`kubectl not provisioned: ${kubectlProblem}. Run: bash scripts/peers/provision.sh`);
      dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-kubectl-'));
      env = await startKubeEnv();
      await installCrds(env.kubeConfig);
      await new Cluster(env).createNamespace('istio-system');
      admission = env.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
      tsiod = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: null, readinessPort: null, webhookPort: 0, webhookReconcileMs: RESYNC_MS, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      // deploy/webhook.yaml as shipped, but reaching this tsiod by URL: the test apiserver has no Service routing.
      const text = (await readFile(WEBHOOK_YAML, 'utf8')).replace(
        /service:\n\s+name: istiod\n\s+namespace: istio-system\n\s+path: \/validate\n\s+port: 443/,
        `url: https://127.0.0.1:${tsiod.webhookPort}/validate`,
      );
      manifest = path.join(dir, 'webhook.yaml');
      await writeFile(manifest, text);
      const config = loadYaml<V1ValidatingWebhookConfiguration>(text);
      expect(config.webhooks?.map((w) => w.clientConfig)).toEqual([{ url: `https://127.0.0.1:${tsiod.webhookPort}/validate` }]);
      await admission.createValidatingWebhookConfiguration({ body: config });
    }, 180_000);

    /** `kubectl apply` of a VirtualService whose one weight is out of range: refused with tsiod's message. */
    const expectDenied = async (name: string, weight: number): Promise<void> => {
      const file = path.join(dir, `invalid-${name}.yaml`);
      await writeFile(file, [
        'apiVersion: networking.istio.io/v1', 'kind: VirtualService', `metadata: {name: ${name}, namespace: default}`,
        'spec:', `  hosts: [${name}]`, '  http:', '  - route:', `    - {destination: {host: ${name}}, weight: ${weight}}`, '',
      ].join('\n'));
      const denied = await kubectl(env.kubeconfigPath, 'apply', '-f', file);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain(
        `admission webhook "validation.istio.io" denied the request: configuration is invalid: VirtualService default/${name}: spec.http[0].route[0].weight: must be between 0 and 100`,
      );
    };

    afterAll(async () => {
      await tsiod?.close();
      await env?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('ships fail-open without a caBundle, and tsiod fills it in and switches to Fail once it has proved it denies', async () => {
      const shipped = loadYaml<V1ValidatingWebhookConfiguration>(await readFile(WEBHOOK_YAML, 'utf8'));
      expect(shipped.webhooks?.map((w) => [w.failurePolicy, w.clientConfig.caBundle])).toEqual([['Ignore', undefined]]);
      const caBundle = Buffer.from(tsiod!.webhookCaBundle ?? '').toString('base64');
      await waitFor('caBundle and failurePolicy patched', async () => {
        const c = await current();
        return (c.webhooks ?? []).every((w) => w.clientConfig.caBundle === caBundle && w.failurePolicy === 'Fail');
      }, 30_000, () => logs.text());
      expect(logs.text()).toContain('webhook configuration updated');
    });

    it('kubectl apply of an invalid VirtualService is denied with tsiod\'s message; a valid one is created', async () => {
      await expectDenied('reviews', 150);
      const missing = await kubectl(env.kubeconfigPath, 'get', 'virtualservices.networking.istio.io', 'reviews', '-n', 'default');
      expect(missing.code).not.toBe(0);

      const valid = path.join(dir, 'valid.yaml');
      await writeFile(valid, [
        'apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: {name: ratings, namespace: default}',
        'spec:', '  hosts: [ratings]', '  http:', '  - route: [{destination: {host: ratings}}]', '',
      ].join('\n'));
      const created = await kubectl(env.kubeconfigPath, 'apply', '-f', valid);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      expect(created.stdout.trim()).toBe('virtualservice.networking.istio.io/ratings created');
    });

    it('writes nothing more once the configuration is done (its own writes do not set it off again)', async () => {
      const before = await current();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const after = await current();
      expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    });

    it('puts back the caBundle and failurePolicy at once when someone re-applies the manifest with kubectl replace', async () => {
      const replaced = await kubectl(env.kubeconfigPath, 'replace', '-f', manifest);
      expect(replaced.stderr).toBe('');
      expect(replaced.code).toBe(0);
      expect((await current()).webhooks?.map((w) => [w.failurePolicy, w.clientConfig.caBundle])).toEqual([['Ignore', undefined]]);
      const caBundle = Buffer.from(tsiod!.webhookCaBundle ?? '').toString('base64');
      // The periodic pass is an hour away, so only the watch can put it back within the wait.
      await waitFor('caBundle and failurePolicy restored', async () => {
        const now = await current();
        return (now.webhooks ?? []).every((w) => w.clientConfig.caBundle === caBundle && w.failurePolicy === 'Fail');
      }, 15_000, () => logs.text());
      // And the webhook answers again with the restored CA: still fail-closed, still denying.
      await expectDenied('details', 101);
    });

    it('puts back a caBundle someone replaced with another CA', async () => {
      const c = await current();
      const reset: V1ValidatingWebhookConfiguration = {
        ...c,
        webhooks: (c.webhooks ?? []).map((w) => ({ ...w, failurePolicy: 'Ignore', clientConfig: { ...w.clientConfig, caBundle: Buffer.from('not a CA').toString('base64') } })),
      };
      await admission.replaceValidatingWebhookConfiguration({ name: CONFIG_NAME, body: reset });
      const caBundle = Buffer.from(tsiod!.webhookCaBundle ?? '').toString('base64');
      await waitFor('caBundle and failurePolicy restored', async () => {
        const now = await current();
        return (now.webhooks ?? []).every((w) => w.clientConfig.caBundle === caBundle && w.failurePolicy === 'Fail');
      }, 15_000, () => logs.text());
    });

    it('leaves alone configurations of another revision or without the label', async () => {
      const shipped = loadYaml<V1ValidatingWebhookConfiguration>(await readFile(manifest, 'utf8'));
      const canary = { ...shipped, metadata: { name: 'istio-validator-canary-istio-system', labels: { 'istio.io/rev': 'canary' } } };
      const unlabelled = { ...shipped, metadata: { name: 'someone-elses-validator' } };
      for (const body of [canary, unlabelled]) await admission.createValidatingWebhookConfiguration({ body });
      // Touch ours too, so tsiod certainly reconciles (and lists) while the others exist.
      const c = await current();
      await admission.replaceValidatingWebhookConfiguration({ name: CONFIG_NAME, body: { ...c, webhooks: (c.webhooks ?? []).map((w) => ({ ...w, failurePolicy: 'Ignore' })) } });
      await waitFor('ours back to Fail', async () => (await current()).webhooks?.every((w) => w.failurePolicy === 'Fail') === true, 15_000, () => logs.text());
      for (const name of [canary.metadata.name, unlabelled.metadata.name]) {
        const other = await admission.readValidatingWebhookConfiguration({ name });
        expect(other.webhooks?.map((w) => [w.failurePolicy, w.clientConfig.caBundle]), name).toEqual([['Ignore', undefined]]);
        await admission.deleteValidatingWebhookConfiguration({ name });
      }
    });

    it('with a second tsiod (its own self-signed certificate) on the same configuration, the two hold back instead of rewriting it as fast as they can', async () => {
      const otherLogs = new LogBuffer();
      const other = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: null, readinessPort: null, webhookPort: 0, webhookReconcileMs: RESYNC_MS, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => otherLogs.push(line) }),
      });
      try {
        expect(other.webhookCaBundle).not.toBe(tsiod!.webhookCaBundle);
        const before = (await current()).metadata?.generation ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 8_000));
        const writes = ((await current()).metadata?.generation ?? 0) - before;
        // Unchecked, each write sets off the other's watch: hundreds in 8 s. Held back: 1 s, 2 s, 4 s... each.
        expect(writes).toBeGreaterThan(0);
        expect(writes).toBeLessThanOrEqual(12);
        expect(`${logs.text()}\n${otherLogs.text()}`).toContain('keeps being changed soon after tsiod writes it');
      } finally {
        await other.close();
      }
      // Alone again, tsiod gets its caBundle back (after at most its current hold-back).
      const caBundle = Buffer.from(tsiod!.webhookCaBundle ?? '').toString('base64');
      await waitFor('caBundle ours again', async () => (await current()).webhooks?.every((w) => w.clientConfig.caBundle === caBundle) === true, 30_000, () => logs.text());
    }, 60_000);
  });
});
