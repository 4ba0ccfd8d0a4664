/**
 * What istiod's validation webhook controller does
 * (pkg/webhooks/validation/controller): keeps the caBundle of every
 * ValidatingWebhookConfiguration labelled istio.io/rev=<revision> equal to
 * the webhook's serving CA, and once the webhook is seen to deny invalid
 * config (a dry-run create of an empty Gateway is refused "denied the
 * request"), switches their failurePolicy from Ignore to Fail, so that an
 * unreachable webhook never blocks config before it has proved it works.
 * Someone resetting either is put right at the next reconcile.
 */
import { AdmissionregistrationV1Api, CustomObjectsApi, type KubeConfig, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface WebhookConfigPatcherOptions {
  readonly kubeConfig: KubeConfig;
  /** PEM of the CA that signed the webhook's serving certificate. */
  readonly caBundlePem: string;
  /** istio.io/rev label value of the configurations to manage ("default"). */
  readonly revision: string;
  /** Where the dry-run Gateway goes (the system namespace). */
  readonly namespace: string;
  readonly logger: Logger;
  /** How often to reconcile (istiod reacts to watch events; a list every few seconds is as good and simpler). */
  readonly intervalMs?: number;
}

export interface ReconcileResult {
  /** Names of the configurations this pass wrote. */
  readonly updated: readonly string[];
  readonly failClosed: boolean;
}

export class WebhookConfigPatcher {
  private readonly admission: AdmissionregistrationV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly caBundle: string;
  private failClosedReady = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: WebhookConfigPatcherOptions) {
    this.admission = options.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    this.custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.caBundle = Buffer.from(options.caBundlePem).toString('base64');
  }

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.reconcile()
        .catch((err: unknown) => this.options.logger.warn({ err: errorText(err) }, 'webhook configuration: reconcile failed; retrying'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 5_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: patch what differs; the fail-close switch waits for proof that the webhook denies. */
  async reconcile(): Promise<ReconcileResult> {
    const list = await this.admission.listValidatingWebhookConfiguration({ labelSelector: `istio.io/rev=${this.options.revision}` });
    const updated: string[] = [];
    for (const config of list.items) {
      const webhooks = config.webhooks ?? [];
      const caStale = webhooks.some((w) => w.clientConfig.caBundle !== this.caBundle);
      const ignoring = webhooks.some((w) => w.failurePolicy !== 'Fail');
      if (!caStale && !ignoring) continue;
      // The CA goes in first: the dry run below can only reach the webhook once the apiserver trusts it.
      const failClosed = ignoring && (caStale ? this.failClosedReady : await this.readyForFailClose());
      await this.write(config, failClosed);
      updated.push(config.metadata?.name ?? '');
      this.options.logger.info({ name: config.metadata?.name, caBundleUpdated: caStale, failurePolicy: failClosed ? 'Fail' : undefined }, 'webhook configuration updated');
    }
    return { updated, failClosed: this.failClosedReady };
  }

  private async write(config: V1ValidatingWebhookConfiguration, failClosed: boolean): Promise<void> {
    const body: V1ValidatingWebhookConfiguration = {
      ...config,
      webhooks: (config.webhooks ?? []).map((w) => ({
        ...w,
        clientConfig: { ...w.clientConfig, caBundle: this.caBundle },
        ...(failClosed ? { failurePolicy: 'Fail' } : {}),
      })),
    };
    await this.admission.replaceValidatingWebhookConfiguration({ name: config.metadata?.name ?? '', body });
  }

  /** istiod's isDryRunOfInvalidConfigRejected: remembered once true. */
  private async readyForFailClose(): Promise<boolean> {
    if (this.failClosedReady) return true;
    const invalidGateway = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'invalid-gateway', namespace: this.options.namespace, labels: { 'istio.io/rev': this.options.revision } },
      spec: {},
    };
    try {
      await this.custom.createNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace: this.options.namespace,
        plural: 'gateways',
        body: invalidGateway,
        dryRun: 'All',
      });
      this.options.logger.info('webhook configuration: an invalid Gateway was not denied yet; staying fail-open');
      return false;
    } catch (err) {
      const text = errorText(err);
      if (text.includes('denied the request')) this.failClosedReady = true;
      // Without the Gateway CRD the check cannot be made; istiod then assumes the webhook is ready.
      else if (text.includes('404') || text.includes('could not find the requested resource')) this.failClosedReady = true;
      else this.options.logger.info({ reason: text }, 'webhook configuration: dry run failed for another reason; staying fail-open');
      return this.failClosedReady;
    }
  }
}

function errorText(err: unknown): string {
  const e = err as { body?: unknown; message?: string; code?: number };
  const body = typeof e.body === 'string' ? e.body : e.body !== undefined ? JSON.stringify(e.body) : '';
  return `${e.code ?? ''} ${e.message ?? String(err)} ${body}`;
}
