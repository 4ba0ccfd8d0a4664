/**
 * A real kube-apiserver calls tsiod's validating webhook: with a
 * ValidatingWebhookConfiguration pointing at tsiod (clientConfig.url on
 * 127.0.0.1, caBundle = tsiod's self-signed serving certificate), the
 * apiserver refuses an invalid VirtualService with tsiod's message, as it
 * refuses one with istiod's, and stores a valid one.
 */
import { AdmissionregistrationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../../src/cli/serve.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../helpers/kube-env.js';
import { LogBuffer } from '../../helpers/log-buffer.js';
import { FAST_TUNING, installCrds } from './cluster.js';

const WEBHOOK_NAME = 'validation.istio.io';
const VS = { group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices' } as const;

const virtualService = (name: string, hosts: string[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
  metadata: { name, namespace: 'default' },
  spec: { hosts, http: [{ route: [{ destination: { host: 'reviews' } }] }], ...extra },
});

/** client-node's ApiException keeps the apiserver's Status as its body (JSON text). */
function rejection(err: unknown): { code: number; body: string } {
  const e = err as { code?: number; body?: unknown };
  return { code: e.code ?? 0, body: typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? String(err)) };
}

whenKubeEnvAvailable('validating webhook behind a real kube-apiserver', () => {
  describe('validating webhook behind a real kube-apiserver', () => {
    let env: KubeEnv;
    let tsiod: RunningTsiod | undefined;
    let custom: CustomObjectsApi;
    const logs = new LogBuffer();

    beforeAll(async () => {
      env = await startKubeEnv();
      await installCrds(env.kubeConfig, 'networking.istio.io');
      custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
      tsiod = await startTsiod({
        kubernetes: { kubeconfig: env.kubeconfigPath, ...FAST_TUNING },
        host: '127.0.0.1', xdsPort: 0, monitoringPort: 0, webhookPort: 0, debounceAfterMs: 20,
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      });
      const caBundle = Buffer.from(tsiod.webhookCaBundle ?? '').toString('base64');
      await env.kubeConfig.makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
        body: {
          metadata: { name: 'istio-validator-tsiod' },
          webhooks: [{
            name: WEBHOOK_NAME,
            clientConfig: { url: `https://127.0.0.1:${tsiod.webhookPort}/validate`, caBundle },
            rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['networking.istio.io'], apiVersions: ['v1'], resources: ['virtualservices', 'destinationrules', 'gateways'] }],
            failurePolicy: 'Fail',
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          }],
        },
      });
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail') console.error(`---- tsiod log ----\n${logs.text()}\n${env.logs()}`);
    });

    afterAll(async () => {
      await tsiod?.close();
      await env?.stop();
    });

    it('stores a valid VirtualService once the apiserver calls tsiod, and refuses an invalid one with tsiod\'s message', async () => {
      const running = tsiod!;
      const passed = async (): Promise<number> => {
        const values = (await running.metrics.getSingleMetric('galley_validation_passed')?.get())?.values ?? [];
        return values.reduce((sum, v) => sum + v.value, 0);
      };
      // The apiserver picks up a new webhook configuration asynchronously: retry the valid create until tsiod has seen it.
      const deadline = Date.now() + 20_000;
      for (let i = 0; ; i++) {
        await custom.createNamespacedCustomObject({ ...VS, body: virtualService(`valid-${i}`, ['reviews']) });
        if ((await passed()) > 0) break;
        if (Date.now() > deadline) throw new Error('the apiserver never called the webhook for a valid VirtualService');
        await new Promise((r) => setTimeout(r, 200));
      }

      const err = await custom.createNamespacedCustomObject({ ...VS, body: virtualService('invalid', ['*']) }).then(() => undefined, (e: unknown) => e);
      expect(err, 'the invalid VirtualService was stored').toBeDefined();
      const { code, body } = rejection(err);
      expect(code).toBe(400);
      const status = JSON.parse(body) as { message: string; code: number };
      expect(status.code).toBe(400);
      expect(status.message).toBe(
        `admission webhook "${WEBHOOK_NAME}" denied the request: configuration is invalid: VirtualService default/invalid: spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway`,
      );
      await expect(custom.getNamespacedCustomObject({ ...VS, name: 'invalid' })).rejects.toMatchObject({ code: 404 });

      // UPDATE goes through the webhook too: a valid object cannot be broken by a replace.
      const current = (await custom.getNamespacedCustomObject({ ...VS, name: 'valid-0' })) as Record<string, unknown> & { spec: Record<string, unknown> };
      current.spec = { ...current.spec, hosts: ['*'] };
      const updateErr = rejection(await custom.replaceNamespacedCustomObject({ ...VS, name: 'valid-0', body: current }).then(() => undefined, (e: unknown) => e));
      expect(updateErr.body).toContain('VirtualService default/valid-0: spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway');

      // DELETE is not in the rules (and would be allowed anyway).
      await custom.deleteNamespacedCustomObject({ ...VS, name: 'valid-0' });

      const metrics = await running.metrics.metrics();
      expect(metrics).toMatch(/^galley_validation_failed\{group="networking.istio.io",version="v1",resource="virtualservices",reason="invalid_resource"\} 2$/m);
      expect(logs.text()).not.toMatch(/PRIVATE KEY/);
    });

    it('refuses an invalid DestinationRule, and leaves kinds outside the rules alone', async () => {
      const err = await custom.createNamespacedCustomObject({
        group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'destinationrules',
        body: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'default' }, spec: { host: 'reviews', subsets: [{ labels: { v: '1' } }] } },
      }).then(() => undefined, (e: unknown) => e);
      expect(rejection(err).body).toContain(`admission webhook \\"${WEBHOOK_NAME}\\" denied the request: configuration is invalid: DestinationRule default/dr: spec.subsets[0].name:`);
      // ServiceEntries are not in this configuration's rules: an empty one is stored (the source then ignores it).
      await custom.createNamespacedCustomObject({
        group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'serviceentries',
        body: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'se', namespace: 'default' }, spec: {} },
      });
    });
  });
});
