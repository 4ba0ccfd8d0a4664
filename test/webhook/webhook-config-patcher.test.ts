/**
 * The decisions of the webhook-configuration patcher, without an apiserver:
 * what a configuration lacks, what is written, when the dry run proves the
 * webhook ready (istiod's message fragments), and the hold-back on a
 * caBundle that someone keeps changing. The patcher against a real
 * kube-apiserver is test/interop/kubernetes/kubectl-webhook.test.ts.
 */
import type { V1ValidatingWebhook, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ContestedWrites, dryRunVerdict, patchedWebhookConfig, webhookConfigState } from '../../src/webhook/webhook-config-patcher.js';

const OURS = Buffer.from('-----BEGIN CERTIFICATE-----\nours\n-----END CERTIFICATE-----\n').toString('base64');

const webhook = (name: string, fields: Partial<V1ValidatingWebhook> = {}): V1ValidatingWebhook => ({
  name,
  clientConfig: { service: { name: 'istiod', namespace: 'istio-system', path: '/validate', port: 443 } },
  rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['networking.istio.io'], apiVersions: ['*'], resources: ['*'] }],
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...fields,
});

const config = (...webhooks: V1ValidatingWebhook[]): V1ValidatingWebhookConfiguration => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'istio-validator-istio-system', labels: { 'istio.io/rev': 'default' }, resourceVersion: '42' },
  webhooks,
});

describe('webhookConfigState', () => {
  it('as shipped (no caBundle, Ignore): the CA is stale and it is fail-open', () => {
    expect(webhookConfigState(config(webhook('validation.istio.io', { failurePolicy: 'Ignore' })), OURS)).toEqual({ caStale: true, failOpen: true });
  });

  it('is done when every webhook has our CA and Fail', () => {
    const done = config(webhook('a', { failurePolicy: 'Fail', clientConfig: { url: 'https://x/validate', caBundle: OURS } }));
    expect(webhookConfigState(done, OURS)).toEqual({ caStale: false, failOpen: false });
  });

  it('looks at every webhook: one with another CA or Ignore is enough', () => {
    const mixed = config(
      webhook('a', { failurePolicy: 'Fail', clientConfig: { caBundle: OURS } }),
      webhook('b', { failurePolicy: 'Ignore', clientConfig: { caBundle: Buffer.from('theirs').toString('base64') } }),
    );
    expect(webhookConfigState(mixed, OURS)).toEqual({ caStale: true, failOpen: true });
  });

  it('treats an unset failurePolicy as istiod does: not Ignore (the v1 API defaults it to Fail)', () => {
    expect(webhookConfigState(config(webhook('a', { clientConfig: { caBundle: OURS } })), OURS)).toEqual({ caStale: false, failOpen: false });
  });

  it('a configuration without webhooks needs nothing', () => {
    expect(webhookConfigState(config(), OURS)).toEqual({ caStale: false, failOpen: false });
  });
});

describe('patchedWebhookConfig', () => {
  const shipped = config(webhook('validation.istio.io', { failurePolicy: 'Ignore' }), webhook('rev.validation.istio.io', { failurePolicy: 'Ignore', objectSelector: { matchLabels: { 'istio.io/rev': 'default' } } }));

  it('puts our CA in every webhook and keeps everything else, resourceVersion included (an update, not a blind overwrite)', () => {
    const patched = patchedWebhookConfig(shipped, OURS, false);
    expect(patched.metadata).toEqual(shipped.metadata);
    expect(patched.webhooks?.map((w) => [w.name, w.clientConfig.caBundle, w.failurePolicy])).toEqual([
      ['validation.istio.io', OURS, 'Ignore'],
      ['rev.validation.istio.io', OURS, 'Ignore'],
    ]);
    expect(patched.webhooks?.[1]?.objectSelector).toEqual({ matchLabels: { 'istio.io/rev': 'default' } });
    expect(patched.webhooks?.[0]?.clientConfig.service).toEqual(shipped.webhooks?.[0]?.clientConfig.service);
    expect(patched.webhooks?.[0]?.rules).toEqual(shipped.webhooks?.[0]?.rules);
  });

  it('switches every webhook to Fail once the webhook has proved it denies', () => {
    expect(patchedWebhookConfig(shipped, OURS, true).webhooks?.map((w) => w.failurePolicy)).toEqual(['Fail', 'Fail']);
  });

  it('does not change its input', () => {
    const before = JSON.stringify(shipped);
    patchedWebhookConfig(shipped, OURS, true);
    expect(JSON.stringify(shipped)).toBe(before);
  });
});

describe('dryRunVerdict (istiod isDryRunOfInvalidConfigRejected)', () => {
  it('is ready when the apiserver says a webhook denied the invalid Gateway', () => {
    expect(dryRunVerdict('400 BadRequest: admission webhook "validation.istio.io" denied the request: configuration is invalid: Gateway istio-system/invalid-gateway: spec.servers: ...'))
      .toEqual({ ready: true, reason: 'denied' });
  });

  it('is not ready when the invalid Gateway was accepted (fail-open and the webhook not reached)', () => {
    expect(dryRunVerdict(null).ready).toBe(false);
  });

  it('assumes ready without the Gateway CRD, as istiod does', () => {
    expect(dryRunVerdict('404 NotFound: the server could not find the requested resource')).toEqual({ ready: true, reason: 'no Gateway CRD' });
  });

  it('is not ready when the namespace is missing: a 404 is not the missing CRD', () => {
    const verdict = dryRunVerdict('404 NotFound: namespaces "istio-system" not found');
    expect(verdict.ready).toBe(false);
    expect(verdict.reason).toContain('namespaces "istio-system" not found');
  });

  it('assumes ready when another webhook on Gateways cannot be dry-run, as istiod does', () => {
    expect(dryRunVerdict('400 BadRequest: admission webhook "other.example.com" does not support dry run')).toEqual({ ready: true, reason: 'dry run unsupported' });
  });

  it('is not ready when refused for another reason (RBAC, the apiserver down)', () => {
    const verdict = dryRunVerdict('403 Forbidden: gateways.networking.istio.io is forbidden: User "system:serviceaccount:istio-system:tsiod" cannot create resource "gateways"');
    expect(verdict.ready).toBe(false);
    expect(verdict.reason).toContain('forbidden');
  });
});

describe('ContestedWrites', () => {
  const policy = { initialMs: 1_000, maxMs: 8_000, jitter: 0 };
  const setup = (): { clock: { now: number }; writes: ContestedWrites } => {
    const clock = { now: 0 };
    return { clock, writes: new ContestedWrites(60_000, policy, () => clock.now, () => 0.5) };
  };

  it('writes at once the first time, and when the last write is older than the window', () => {
    const { clock, writes } = setup();
    expect(writes.delayFor('a')).toEqual({ delayMs: 0 });
    writes.wrote('a');
    clock.now = 60_000;
    expect(writes.delayFor('a')).toEqual({ delayMs: 0 });
  });

  it('holds back a caBundle changed again within the window, longer each time, up to the cap', () => {
    const { clock, writes } = setup();
    const delays: number[] = [];
    writes.wrote('a');
    for (let round = 0; round < 6; round++) {
      clock.now += 100;
      const first = writes.delayFor('a');
      expect(first.contested).toBe(round + 1);
      delays.push(first.delayMs);
      // Asked again before the delay is over: the rest of the same delay, not a new one.
      clock.now += first.delayMs / 2;
      expect(writes.delayFor('a')).toEqual({ delayMs: first.delayMs / 2 });
      clock.now += first.delayMs / 2;
      expect(writes.delayFor('a')).toEqual({ delayMs: 0 });
      writes.wrote('a');
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('starts the delays over once the caBundle stayed ours for the window', () => {
    const { clock, writes } = setup();
    writes.wrote('a');
    clock.now += 100;
    expect(writes.delayFor('a').delayMs).toBe(1_000);
    clock.now += 1_000;
    expect(writes.delayFor('a').delayMs).toBe(0);
    writes.wrote('a');
    clock.now += 30_000;
    writes.current('a');
    clock.now += 1;
    expect(writes.delayFor('a').delayMs).toBe(2_000);
    clock.now += 2_000;
    writes.delayFor('a');
    writes.wrote('a');
    clock.now += 60_000;
    writes.current('a');
    clock.now += 60_000;
    writes.wrote('a');
    clock.now += 100;
    expect(writes.delayFor('a')).toEqual({ delayMs: 1_000, contested: 1 });
  });

  it('keeps each configuration apart', () => {
    const { clock, writes } = setup();
    writes.wrote('a');
    clock.now += 100;
    expect(writes.delayFor('a').contested).toBe(1);
    expect(writes.delayFor('b')).toEqual({ delayMs: 0 });
  });
});
