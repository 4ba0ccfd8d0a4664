/**
 * What istiod's validation webhook controller does
 * (pkg/webhooks/validation/controller): keeps the caBundle of every
 * ValidatingWebhookConfiguration labelled istio.io/rev=<revision> equal to
 * the webhook's serving CA, and once the webhook is seen to deny invalid
 * config (a dry-run create of an invalid Gateway is refused "denied the
 * request"), switches their failurePolicy from Ignore to Fail, so that an
 * unreachable webhook never blocks config before it has proved it works.
 *
 * Like istiod it reacts to the configurations themselves: a watch (by the
 * same label) reconciles as soon as someone creates one or resets its
 * caBundle or failurePolicy; a periodic pass backs it up. Until the webhook
 * has proved it denies, the check is retried with backoff (istiod: 100 ms
 * to a minute).
 *
 * One thing istiod does not need: its replicas share one CA, while each tsiod
 * replica with a self-signed certificate has its own. Two of them would
 * rewrite each other's caBundle on every watch event, so a caBundle changed
 * again soon after tsiod wrote it is rewritten only after a growing delay
 * (ContestedWrites), with a warning saying why.
 */
import { AdmissionregistrationV1Api, CustomObjectsApi, type KubeConfig, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, type BackoffPolicy } from '../config/kubernetes/backoff.js';
import { ClientNodeKubeApi, type KubeApi, type WatchStream } from '../config/kubernetes/kube-api.js';

/** istiod's constants.AlwaysReject: its validation refuses any object carrying it; the dry-run Gateway does. */
export const ALWAYS_REJECT_ANNOTATION = 'internal.istio.io/webhook-always-reject';
export const REVISION_LABEL = 'istio.io/rev';
const COLLECTION = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

export interface WebhookConfigPatcherOptions {
  readonly kubeConfig: KubeConfig;
  /** PEM of the CA that signed the webhook's serving certificate. */
  readonly caBundlePem: string;
  /** istio.io/rev label value of the configurations to manage ("default"). */
  readonly revision: string;
  /** Where the dry-run Gateway goes (the system namespace). */
  readonly namespace: string;
  readonly logger: Logger;
  /** Periodic reconcile, behind the watch (ms); default 60 000. */
  readonly intervalMs?: number;
  /** Retries of the fail-close check and of failed passes; default 250 ms doubling to 30 s. */
  readonly retryBackoff?: BackoffPolicy;
  /** Delays before rewriting a caBundle someone keeps changing; default 1 s doubling to 5 min. */
  readonly contestedBackoff?: BackoffPolicy;
  /** A caBundle that stayed ours this long after tsiod wrote it was not contested; default 60 s. */
  readonly contestedWindowMs?: number;
  /** The watch is restarted when it is quiet this long (bookmarks count); default 180 s. */
  readonly watchInactivityMs?: number;
}

export interface ReconcileResult {
  /** Names of the configurations this pass wrote. */
  readonly updated: readonly string[];
  readonly failClosed: boolean;
  /** When a configuration still needs work (the fail-close check, a contested caBundle): reconcile again in this many ms. */
  readonly retryInMs?: number;
}

/** What a configuration lacks, as istiod's caBundleUpdateRequired and failurePolicyIsIgnore see it. */
export interface WebhookConfigState {
  /** Some webhook's caBundle is not ours (base64 of the PEM). */
  readonly caStale: boolean;
  /** Some webhook's failurePolicy is set and is not Fail. */
  readonly failOpen: boolean;
}

export function webhookConfigState(config: V1ValidatingWebhookConfiguration, caBundle: string): WebhookConfigState {
  const webhooks = config.webhooks ?? [];
  return {
    caStale: webhooks.some((w) => w.clientConfig.caBundle !== caBundle),
    failOpen: webhooks.some((w) => w.failurePolicy !== undefined && w.failurePolicy !== 'Fail'),
  };
}

/** The configuration with every webhook's caBundle ours and, when `failClose`, failurePolicy Fail; the rest untouched. */
export function patchedWebhookConfig(config: V1ValidatingWebhookConfiguration, caBundle: string, failClose: boolean): V1ValidatingWebhookConfiguration {
  return {
    ...config,
    webhooks: (config.webhooks ?? []).map((w) => ({
      ...w,
      clientConfig: { ...w.clientConfig, caBundle },
      ...(failClose ? { failurePolicy: 'Fail' } : {}),
    })),
  };
}

export type DryRunVerdict =
  | { readonly ready: true; readonly reason: 'denied' | 'no Gateway CRD' | 'dry run unsupported' }
  | { readonly ready: false; readonly reason: string };

/**
 * istiod's isDryRunOfInvalidConfigRejected, given what the dry-run create
 * (or update) of the invalid Gateway answered: null when it was accepted,
 * else the error's text.
 */
export function dryRunVerdict(errorText: string | null): DryRunVerdict {
  if (errorText === null) return { ready: false, reason: 'the invalid Gateway was not denied (is the webhook reachable and its caBundle in place?)' };
  if (errorText.includes('denied the request')) return { ready: true, reason: 'denied' };
  // Without the Gateway CRD the check cannot be made; istiod then assumes validation is ready.
  if (errorText.includes('the server could not find the requested resource')) return { ready: true, reason: 'no Gateway CRD' };
  // Another webhook on Gateways with sideEffects Unknown or Some: retrying would not help, and istiod assumes ready.
  if (errorText.includes('does not support dry run')) return { ready: true, reason: 'dry run unsupported' };
  return { ready: false, reason: `the invalid Gateway was refused for another reason: ${errorText}` };
}

/**
 * Holds back rewriting a caBundle that keeps being changed by someone else
 * (most likely another tsiod replica with its own self-signed certificate),
 * so two writers do not take turns as fast as the apiserver answers.
 */
export class ContestedWrites {
  private readonly entries = new Map<string, { lastWrite: number; notBefore?: number; rounds: number; readonly backoff: Backoff }>();

  constructor(
    private readonly windowMs: number,
    private readonly policy: BackoffPolicy,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Called with the caBundle of `name` found stale: 0 to write it now, or
   * how long to wait first. `contested` is set when this call began the
   * wait: the how-manieth time in a row the caBundle was changed back soon
   * after tsiod wrote it (once may be an operator; again and again is a
   * second writer).
   */
  delayFor(name: string): { readonly delayMs: number; readonly contested?: number } {
    const entry = this.entries.get(name);
    const now = this.now();
    if (entry === undefined) return { delayMs: 0 };
    if (entry.notBefore !== undefined) {
      if (now < entry.notBefore) return { delayMs: entry.notBefore - now };
      entry.notBefore = undefined;
      return { delayMs: 0 };
    }
    if (now - entry.lastWrite >= this.windowMs) return { delayMs: 0 };
    entry.notBefore = now + entry.backoff.next();
    entry.rounds += 1;
    return { delayMs: entry.notBefore - now, contested: entry.rounds };
  }

  wrote(name: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.lastWrite = this.now();
    else this.entries.set(name, { lastWrite: this.now(), rounds: 0, backoff: new Backoff(this.policy, this.random) });
  }

  /** Called with the caBundle of `name` found ours: once it has stayed so for the window, the delays start over. */
  current(name: string): void {
    const entry = this.entries.get(name);
    if (entry && entry.notBefore === undefined && this.now() - entry.lastWrite >= this.windowMs) {
      entry.backoff.reset();
      entry.rounds = 0;
    }
  }
}

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000, jitter: 0.2 };
const DEFAULT_CONTESTED_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 300_000, jitter: 0.2 };
const DEFAULT_CONTESTED_WINDOW_MS = 60_000;
const DEFAULT_WATCH_INACTIVITY_MS = 180_000;

export class WebhookConfigPatcher {
  private readonly admission: AdmissionregistrationV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly api: KubeApi;
  private readonly caBundle: string;
  private readonly labelSelector: string;
  private readonly retry: Backoff;
  private readonly contested: ContestedWrites;
  private failClosedReady = false;
  private stopped = false;
  /** The pending reconcile: when it is due, and its timer. */
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private running: Promise<void> | undefined;
  private rerun = false;
  private watch: WatchStream | undefined;
  private watchLoop: Promise<void> = Promise.resolve();
  private wakeWatchLoop: (() => void) | undefined;

  constructor(private readonly options: WebhookConfigPatcherOptions) {
    this.admission = options.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    this.custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.api = new ClientNodeKubeApi(options.kubeConfig);
    this.caBundle = Buffer.from(options.caBundlePem).toString('base64');
    this.labelSelector = `${REVISION_LABEL}=${options.revision}`;
    this.retry = new Backoff(options.retryBackoff ?? DEFAULT_RETRY_BACKOFF);
    this.contested = new ContestedWrites(options.contestedWindowMs ?? DEFAULT_CONTESTED_WINDOW_MS, options.contestedBackoff ?? DEFAULT_CONTESTED_BACKOFF);
  }

  start(): void {
    this.schedule(0);
    this.watchLoop = this.watchConfigurations();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.watch?.abort();
    this.wakeWatchLoop?.();
    await this.watchLoop;
    await this.running;
    await this.api.close();
  }

  /** One pass: patch what differs; the fail-close switch waits for proof that the webhook denies. */
  async reconcile(): Promise<ReconcileResult> {
    const list = await this.admission.listValidatingWebhookConfiguration({ labelSelector: this.labelSelector });
    const updated: string[] = [];
    let retryInMs: number | undefined;
    let awaitingProof = false;
    const retryIn = (ms: number): void => {
      retryInMs = Math.min(retryInMs ?? Infinity, ms);
    };
    for (const config of list.items) {
      const name = config.metadata?.name ?? '';
      const { caStale, failOpen } = webhookConfigState(config, this.caBundle);
      if (!caStale) this.contested.current(name);
      if (!caStale && !failOpen) continue;
      if (caStale) {
        const { delayMs, contested } = this.contested.delayFor(name);
        if (contested === 1) {
          this.options.logger.info({ name, retryInMs: delayMs }, 'webhook configuration: its caBundle was changed soon after tsiod wrote it; putting it back shortly');
        } else if (contested !== undefined) {
          this.options.logger.warn(
            { name, retryInMs: delayMs, times: contested },
            'webhook configuration: its caBundle keeps being changed soon after tsiod writes it (another tsiod replica with its own self-signed certificate? give all replicas one --webhook-tls-cert); holding back',
          );
        }
        if (delayMs > 0) {
          retryIn(delayMs);
          continue;
        }
      }
      // The CA goes in first: the dry run can only reach the webhook once the apiserver trusts it.
      const failClose = failOpen && (caStale ? this.failClosedReady : await this.readyForFailClose());
      if (caStale || failClose) {
        await this.admission.replaceValidatingWebhookConfiguration({ name, body: patchedWebhookConfig(config, this.caBundle, failClose) });
        if (caStale) this.contested.wrote(name);
        updated.push(name);
        this.options.logger.info({ name, caBundleUpdated: caStale, failurePolicy: failClose ? 'Fail' : undefined }, 'webhook configuration updated');
      }
      if (failOpen && !failClose) awaitingProof = true;
    }
    // istiod retries the fail-close check with backoff; the periodic pass would be too late.
    if (awaitingProof) retryIn(this.retry.next());
    return { updated, failClosed: this.failClosedReady, ...(retryInMs !== undefined ? { retryInMs } : {}) };
  }

  /** Runs a reconcile in `delayMs` unless one is due sooner; one at a time, and one more if asked while running. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    if (at >= this.dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.dueAt = Infinity;
      this.timer = undefined;
      this.runReconcile();
    }, delayMs);
  }

  private runReconcile(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.reconcile()
      .then(
        (result) => {
          if (result.retryInMs === undefined) this.retry.reset();
          this.schedule(result.retryInMs ?? this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
        },
        (err: unknown) => {
          const retryInMs = this.retry.next();
          this.options.logger.warn({ err: errorText(err), retryInMs }, 'webhook configuration: reconcile failed; retrying');
          this.schedule(retryInMs);
        },
      )
      .finally(() => {
        this.running = undefined;
        if (this.rerun) {
          this.rerun = false;
          this.schedule(0);
        }
      });
  }

  /** Reconciles on every change to a configuration with the label (a fresh watch first lists each as ADDED). */
  private async watchConfigurations(): Promise<void> {
    const backoff = new Backoff(this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF);
    while (!this.stopped) {
      const query = { labelSelector: this.labelSelector, allowWatchBookmarks: 'true', timeoutSeconds: String(300 + Math.floor(Math.random() * 300)) };
      this.watch = this.api.watch(COLLECTION, query, (event) => {
        if (event.type !== 'BOOKMARK') this.schedule(0);
      }, this.options.watchInactivityMs ?? DEFAULT_WATCH_INACTIVITY_MS);
      const end = await this.watch.ended;
      this.watch = undefined;
      if (this.stopped || end.reason === 'aborted') return;
      if (end.reason === 'closed') {
        backoff.reset();
        continue;
      }
      const retryInMs = backoff.next();
      this.options.logger.warn({ err: end.error.message, retryInMs }, 'webhook configuration: watch failed; restarting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryInMs);
        this.wakeWatchLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeWatchLoop = undefined;
    }
  }

  /** istiod's readyForFailClose: remembered once true. */
  private async readyForFailClose(): Promise<boolean> {
    if (this.failClosedReady) return true;
    const verdict = dryRunVerdict(await this.dryRunInvalidGateway());
    if (verdict.ready) {
      this.failClosedReady = true;
      this.options.logger.info({ reason: verdict.reason }, 'webhook configuration: the webhook is ready; switching to fail-closed');
    } else {
      this.options.logger.info({ reason: verdict.reason }, 'webhook configuration: not ready to switch to fail-closed yet');
    }
    return this.failClosedReady;
  }

  /** Dry-run create (or, if one by that name exists, update) of an invalid Gateway: null when accepted, else the error's text. */
  private async dryRunInvalidGateway(): Promise<string | null> {
    const { namespace, revision } = this.options;
    const target = { group: 'networking.istio.io', version: 'v1', namespace, plural: 'gateways' } as const;
    const body = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'invalid-gateway', namespace, labels: { [REVISION_LABEL]: revision }, annotations: { [ALWAYS_REJECT_ANNOTATION]: 'true' } },
      // No servers: invalid.
      spec: {},
    };
    try {
      await this.custom.createNamespacedCustomObject({ ...target, body, dryRun: 'All' });
      return null;
    } catch (err) {
      if (statusOf(err).reason !== 'AlreadyExists') return errorText(err);
    }
    try {
      await this.custom.replaceNamespacedCustomObject({ ...target, name: body.metadata.name, body, dryRun: 'All' });
      return null;
    } catch (err) {
      return errorText(err);
    }
  }
}

/** The apiserver's Status in a client-node ApiException (its body, a JSON string or object). */
function statusOf(err: unknown): { readonly code?: number; readonly reason?: string; readonly message?: string } {
  const body = (err as { body?: unknown }).body;
  let status: unknown = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      status = undefined;
    }
  }
  if (typeof status !== 'object' || status === null) return {};
  const s = status as Record<string, unknown>;
  return {
    ...(typeof s['code'] === 'number' ? { code: s['code'] } : {}),
    ...(typeof s['reason'] === 'string' ? { reason: s['reason'] } : {}),
    ...(typeof s['message'] === 'string' ? { message: s['message'] } : {}),
  };
}

/** The apiserver's own message when there is one ("admission webhook ... denied the request: ..."), else the error's. */
function errorText(err: unknown): string {
  const status = statusOf(err);
  const code = status.code ?? (err as { code?: unknown }).code;
  if (status.message !== undefined) return `${typeof code === 'number' ? `${code} ` : ''}${status.reason ? `${status.reason}: ` : ''}${status.message}`;
  return err instanceof Error ? err.message : String(err);
}
