/**
 * The workload certificates SDS serves as "default": one key and chain per
 * identity that has authenticated xDS streams, issued here because Envoy
 * cannot make a CSR (the job pilot-agent's SecretManagerClient does next to
 * the proxy in Istio).
 *
 * - One issuance at a time per identity: streams that open while it runs
 *   share it.
 * - Re-issued at half its lifetime, ± a little jitter so a fleet does not
 *   renew at once (Istio's SECRET_GRACE_PERIOD_RATIO 0.5 and
 *   SECRET_GRACE_PERIOD_RATIO_JITTER 0.01), then pushed to that identity's
 *   streams only.
 * - Forgotten when the identity's last stream closes.
 * - A trust bundle change (root rotation) is pushed as "ROOTCA" to every
 *   authenticated stream.
 *
 * Private keys stay in non-enumerable properties: logging or serialising an
 * entry cannot print one, and no log line here names one.
 */
import type { Logger } from 'pino';
import type { VerifiedIdentity } from '../model/proxy.js';
import { identityKey, type SecretChange } from '../push/push-request.js';
import { concatPem } from '../xds/gen/sds/build-secret.js';
import type { WorkloadSecret, WorkloadSecretProvider } from '../xds/gen/sds/workload-secret-provider.js';
import type { IdentityStreams } from '../xds/server/stream-authentication.js';
import type { IssuedKeyAndCertificate, WorkloadCertificateIssuer } from './certificate-authority.js';

/** Time, injectable so tests can move it instead of waiting. */
export interface CacheClock {
  now(): number;
  /** Runs `fn` after `delayMs`; returns a function that cancels it. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

/** setTimeout cannot wait longer than 2^31-1 ms (~24.8 days); a 90-day certificate renews after 45. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: CacheClock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const timer = setTimeout(fn, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface WorkloadCertificateCacheOptions {
  readonly issuer: WorkloadCertificateIssuer;
  /** The trust domain workload certificates are issued in (spiffe://<trust domain>/ns/.../sa/...). */
  readonly trustDomain: string;
  /** Sends changed secrets to the streams that hold them (XdsServer.pushSecrets). */
  readonly onSecretsChanged: (change: SecretChange) => void;
  readonly logger: Logger;
  /** Requested lifetime; the CA's default (24h) when left out. */
  readonly ttlSeconds?: number;
  /** Fraction of the lifetime left when the certificate is renewed (Istio: 0.5). */
  readonly graceRatio?: number;
  /** The ratio moves up or down by up to this much, at random (Istio: 0.01). */
  readonly graceRatioJitter?: number;
  /** First retry after a failed issuance; doubles per failure up to five minutes. */
  readonly retryAfterMs?: number;
  readonly clock?: CacheClock;
  /** In [0, 1); Math.random by default. */
  readonly random?: () => number;
}

/** What debug output may show of an identity: never its key. */
export interface TrackedIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly streams: number;
  readonly serialHex?: string;
  readonly notAfter?: string;
  readonly renewAt?: string;
}

interface Current {
  readonly secret: WorkloadSecret;
  readonly serialHex: string;
  readonly notAfter: Date;
  readonly renewAt: number;
}

interface Entry {
  readonly identity: VerifiedIdentity;
  streams: number;
  current: Current | undefined;
  inFlight: Promise<void> | undefined;
  cancelTimer: (() => void) | undefined;
  failures: number;
}

const MAX_RETRY_MS = 5 * 60_000;

export class WorkloadCertificateCache implements WorkloadSecretProvider, IdentityStreams {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: CacheClock;
  private readonly random: () => number;
  private readonly unsubscribe: () => void;
  private shutDown = false;

  constructor(private readonly options: WorkloadCertificateCacheOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.unsubscribe = options.issuer.onTrustBundleChange(() => {
      if (this.shutDown) return;
      options.logger.info({ roots: options.issuer.trustBundlePem().length }, 'trust bundle changed; pushing ROOTCA to every authenticated stream');
      options.onSecretsChanged({ identities: new Set(), trustBundle: true });
    });
  }

  // WorkloadSecretProvider

  workloadSecret(namespace: string, serviceAccount: string): WorkloadSecret | undefined {
    return this.entries.get(identityKey(namespace, serviceAccount))?.current?.secret;
  }

  trustBundlePem(): readonly string[] {
    return this.options.issuer.trustBundlePem();
  }

  // IdentityStreams

  opened(identity: VerifiedIdentity): void {
    if (this.shutDown) return;
    const key = identityKey(identity.namespace, identity.serviceAccount);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { identity: { namespace: identity.namespace, serviceAccount: identity.serviceAccount }, streams: 0, current: undefined, inFlight: undefined, cancelTimer: undefined, failures: 0 };
      this.entries.set(key, entry);
    }
    entry.streams++;
    if (!entry.current && !entry.inFlight && !entry.cancelTimer) this.issue(key, entry, 'first stream of the identity');
  }

  closed(identity: VerifiedIdentity): void {
    this.closedStream(identity);
  }

  /** Resolves once no issuance is running (tests; shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      const running = [...this.entries.values()].map((e) => e.inFlight).filter((p): p is Promise<void> => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  tracked(): TrackedIdentity[] {
    return [...this.entries.values()].map((e) => ({
      namespace: e.identity.namespace,
      serviceAccount: e.identity.serviceAccount,
      streams: e.streams,
      ...(e.current
        ? { serialHex: e.current.serialHex, notAfter: e.current.notAfter.toISOString(), renewAt: new Date(e.current.renewAt).toISOString() }
        : {}),
    }));
  }

  close(): void {
    this.shutDown = true;
    this.unsubscribe();
    for (const entry of this.entries.values()) entry.cancelTimer?.();
    this.entries.clear();
  }

  private closedStream(identity: VerifiedIdentity): void {
    const key = identityKey(identity.namespace, identity.serviceAccount);
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.streams--;
    if (entry.streams > 0) return;
    // No stream holds the key any more: nothing to renew, nothing to keep.
    entry.cancelTimer?.();
    this.entries.delete(key);
    this.options.logger.debug({ namespace: identity.namespace, serviceAccount: identity.serviceAccount }, 'identity has no streams left; its workload certificate is dropped');
  }

  /** Starts the one issuance for this identity; `why` is for the log. */
  private issue(key: string, entry: Entry, why: string): void {
    entry.cancelTimer?.();
    entry.cancelTimer = undefined;
    const { namespace, serviceAccount } = entry.identity;
    const run = async (): Promise<void> => {
      let issued: IssuedKeyAndCertificate;
      try {
        issued = await this.options.issuer.issueWorkloadCertificate({ trustDomain: this.options.trustDomain, namespace, serviceAccount }, this.options.ttlSeconds);
      } catch (err) {
        if (!this.isLive(key, entry)) return;
        entry.failures++;
        const retryMs = Math.min((this.options.retryAfterMs ?? 1_000) * 2 ** (entry.failures - 1), MAX_RETRY_MS);
        // CA errors carry no key material; the message says what failed.
        this.options.logger.error({ namespace, serviceAccount, err: err instanceof Error ? err.message : String(err), retryMs }, 'cannot issue a workload certificate; retrying');
        entry.cancelTimer = this.clock.setTimer(retryMs, () => this.onTimer(key, entry, 'retry after a failed issuance'));
        return;
      }
      if (!this.isLive(key, entry)) return;
      entry.failures = 0;
      const issuedAt = this.clock.now();
      const renewAt = this.renewTime(issuedAt, issued.notAfter.getTime());
      entry.current = { secret: workloadSecretOf(issued), serialHex: issued.serialHex, notAfter: issued.notAfter, renewAt };
      this.options.logger.info(
        { namespace, serviceAccount, serial: issued.serialHex, notAfter: issued.notAfter.toISOString(), renewAt: new Date(renewAt).toISOString(), why },
        'issued workload certificate',
      );
      this.schedule(key, entry, renewAt);
      this.options.onSecretsChanged({ identities: new Set([key]), trustBundle: false });
    };
    entry.inFlight = run().finally(() => {
      entry.inFlight = undefined;
    });
  }

  /** Istio's rotateTime: expiry minus (ratio ± jitter) of the lifetime, the ratio kept within [0, 1]. */
  private renewTime(issuedAt: number, notAfter: number): number {
    const ratio = this.options.graceRatio ?? 0.5;
    const jitter = (this.options.graceRatioJitter ?? 0.01) * this.random() * (this.random() < 0.5 ? -1 : 1);
    const grace = Math.min(Math.max(ratio + jitter, 0), 1);
    return Math.max(notAfter - grace * (notAfter - issuedAt), issuedAt);
  }

  private schedule(key: string, entry: Entry, at: number): void {
    entry.cancelTimer?.();
    const delay = at - this.clock.now();
    entry.cancelTimer = this.clock.setTimer(Math.min(Math.max(delay, 0), MAX_TIMER_MS), () => {
      // A long wait is made of several timers: renew only once the time has really come.
      if (this.clock.now() < at) this.schedule(key, entry, at);
      else this.onTimer(key, entry, 'half its lifetime passed');
    });
  }

  private onTimer(key: string, entry: Entry, why: string): void {
    entry.cancelTimer = undefined;
    if (!this.isLive(key, entry) || entry.inFlight) return;
    this.issue(key, entry, why);
  }

  /** The entry is still the one tracked for its identity (not dropped, not replaced after a drop). */
  private isLive(key: string, entry: Entry): boolean {
    return !this.shutDown && this.entries.get(key) === entry;
  }
}

function workloadSecretOf(issued: IssuedKeyAndCertificate): WorkloadSecret {
  const secret = { certChainPem: concatPem(issued.certChainPem) };
  Object.defineProperty(secret, 'privateKeyPem', { value: issued.privateKeyPem, enumerable: false, writable: false });
  return Object.freeze(secret) as WorkloadSecret;
}
