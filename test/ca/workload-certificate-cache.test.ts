/**
 * The workload-certificate cache behind SDS "default", over tsiod's real CA:
 * one issuance per identity at a time, renewal at half the lifetime ± jitter
 * (Istio's rotateTime with SECRET_GRACE_PERIOD_RATIO 0.5 and _JITTER 0.01),
 * pushes scoped to the identity, identities dropped with their last stream,
 * ROOTCA pushed to all on a trust bundle change, and no private key in logs.
 * Time is a manual clock: nothing here waits on the wall clock.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority, type IssuedKeyAndCertificate, type WorkloadCertificateIssuer } from '../../src/ca/certificate-authority.js';
import type { SpiffeIdentity } from '../../src/ca/spiffe.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { WorkloadCertificateCache, type CacheClock, type WorkloadCertificateCacheOptions } from '../../src/ca/workload-certificate-cache.js';
import type { SecretChange } from '../../src/push/push-request.js';

const TRUST_DOMAIN = 'cluster.local';
const A = { namespace: 'ns-a', serviceAccount: 'sa-a' };
const B = { namespace: 'ns-b', serviceAccount: 'sa-b' };

class ManualClock implements CacheClock {
  private timers: Array<{ at: number; fn: () => void }> = [];
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const timer = { at: this.t + delayMs, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** Moves time forward, running each due timer at its own time, in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((x, y) => x.at - y.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = target;
  }
  get pending(): number {
    return this.timers.length;
  }
}

/** The real CA, counting what it is asked; `failNext` makes the next issuance fail as a CA fault would. */
class CountingIssuer implements WorkloadCertificateIssuer {
  readonly issued: Array<{ identity: SpiffeIdentity; result: IssuedKeyAndCertificate }> = [];
  calls = 0;
  failNext = 0;
  constructor(readonly ca: CertificateAuthority) {}
  async issueWorkloadCertificate(identity: SpiffeIdentity, ttlSeconds?: number): Promise<IssuedKeyAndCertificate> {
    this.calls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('the signing certificate expired at some point');
    }
    const result = await this.ca.issueWorkloadCertificate(identity, ttlSeconds);
    this.issued.push({ identity, result });
    return result;
  }
  trustBundlePem(): readonly string[] {
    return this.ca.trustBundlePem();
  }
  onTrustBundleChange(listener: (bundle: readonly string[]) => void): () => void {
    return this.ca.onTrustBundleChange(listener);
  }
}

interface Setup {
  readonly cache: WorkloadCertificateCache;
  readonly issuer: CountingIssuer;
  readonly clock: ManualClock;
  readonly changes: SecretChange[];
  readonly logs: string[];
}

let rootMaterial: Awaited<ReturnType<typeof createSelfSignedRoot>>;
beforeAll(async () => {
  rootMaterial = await createSelfSignedRoot({ trustDomain: TRUST_DOMAIN, algorithm: 'ECDSA' });
});

async function setup(options: Partial<WorkloadCertificateCacheOptions> = {}): Promise<Setup> {
  const clock = new ManualClock(Date.now());
  const ca = await CertificateAuthority.fromKeyMaterial(rootMaterial, { trustDomain: TRUST_DOMAIN, now: () => new Date(clock.now()) });
  const issuer = new CountingIssuer(ca);
  const changes: SecretChange[] = [];
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const cache = new WorkloadCertificateCache({
    issuer,
    trustDomain: TRUST_DOMAIN,
    onSecretsChanged: (c) => changes.push(c),
    logger,
    clock,
    ...options,
  });
  return { cache, issuer, clock, changes, logs };
}

const keysOf = (c: SecretChange): string[] => [...c.identities];

describe('WorkloadCertificateCache', () => {
  it('issues one certificate for an identity however many of its streams open while it is issued, with that identity and a matching key', async () => {
    const { cache, issuer, changes } = await setup();
    cache.opened(A);
    cache.opened(A);
    cache.opened({ ...A });
    expect(cache.workloadSecret('ns-a', 'sa-a')).toBeUndefined();
    await cache.settled();
    expect(issuer.calls).toBe(1);
    expect(changes.map(keysOf)).toEqual([['ns-a/sa-a']]);

    const secret = cache.workloadSecret('ns-a', 'sa-a')!;
    const blocks = secret.certChainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    const leaf = new X509Certificate(blocks[0]!);
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/ns-a/sa/sa-a');
    expect(leaf.checkPrivateKey(createPrivateKey(secret.privateKeyPem))).toBe(true);
    // Leaf first, root last, as Istio's agent serves "default".
    expect(new X509Certificate(blocks.at(-1)!).raw.equals(new X509Certificate(cache.trustBundlePem()[0]!).raw)).toBe(true);
    expect(leaf.verify(new X509Certificate(blocks.at(-1)!).publicKey)).toBe(true);
    expect(cache.workloadSecret('ns-b', 'sa-b')).toBeUndefined();
  });

  it('renews at half the lifetime when the jitter draws zero, and pushes only to that identity', async () => {
    const { cache, issuer, clock, changes } = await setup({ ttlSeconds: 3600, random: () => 0 });
    cache.opened(A);
    cache.opened(B);
    const issuedAt = clock.now();
    await cache.settled();
    const first = cache.workloadSecret('ns-a', 'sa-a')!;
    const notAfter = issuer.issued.find((i) => i.identity.namespace === 'ns-a')!.result.notAfter.getTime();
    const renewAt = notAfter - 0.5 * (notAfter - issuedAt);
    changes.length = 0;

    clock.advance(renewAt - clock.now() - 1);
    await cache.settled();
    expect(issuer.calls).toBe(2);
    clock.advance(1);
    await cache.settled();
    expect(issuer.calls).toBe(4);
    expect(changes.map(keysOf).sort()).toEqual([['ns-a/sa-a'], ['ns-b/sa-b']]);
    expect(changes.every((c) => !c.trustBundle)).toBe(true);
    const second = cache.workloadSecret('ns-a', 'sa-a')!;
    expect(second.certChainPem).not.toBe(first.certChainPem);
    expect(second.privateKeyPem).not.toBe(first.privateKeyPem);
    expect(new X509Certificate(second.certChainPem).subjectAltName).toBe('URI:spiffe://cluster.local/ns/ns-a/sa/sa-a');
  });

  it('keeps the renewal within 50% ± 1% of the lifetime, moved by the jitter', async () => {
    for (const draw of [0.999, 0.25]) {
      for (const sign of [0.1, 0.9]) {
        let n = 0;
        const { cache, issuer, clock } = await setup({ ttlSeconds: 7200, random: () => (n++ % 2 === 0 ? draw : sign) });
        const issuedAt = clock.now();
        cache.opened(A);
        await cache.settled();
        const notAfter = issuer.issued[0]!.result.notAfter.getTime();
        const lifetime = notAfter - issuedAt;
        const renewAt = Date.parse(cache.tracked()[0]!.renewAt!);
        const grace = (notAfter - renewAt) / lifetime;
        // Istio: ratio + (draw × jitter) × (±1), the sign from a second draw.
        const expected = 0.5 + 0.01 * draw * (sign < 0.5 ? -1 : 1);
        expect(Math.abs(grace - expected)).toBeLessThan(0.001);
        cache.close();
      }
    }
  });

  it('drops an identity with its last stream: no renewal, and a later stream gets a new key', async () => {
    const { cache, issuer, clock, changes } = await setup({ ttlSeconds: 600, random: () => 0 });
    cache.opened(A);
    cache.opened(A);
    await cache.settled();
    const first = cache.workloadSecret('ns-a', 'sa-a')!;
    cache.closed(A);
    expect(cache.workloadSecret('ns-a', 'sa-a')).toBe(first);
    cache.closed(A);
    expect(cache.workloadSecret('ns-a', 'sa-a')).toBeUndefined();
    expect(cache.tracked()).toEqual([]);
    expect(clock.pending).toBe(0);
    clock.advance(3_600_000);
    await cache.settled();
    expect(issuer.calls).toBe(1);

    cache.opened(A);
    await cache.settled();
    expect(issuer.calls).toBe(2);
    expect(cache.workloadSecret('ns-a', 'sa-a')!.privateKeyPem).not.toBe(first.privateKeyPem);
    expect(changes).toHaveLength(2);
  });

  it('discards a certificate whose identity lost its streams while it was being issued', async () => {
    const { cache, changes } = await setup();
    cache.opened(A);
    cache.closed(A);
    await cache.settled();
    expect(cache.workloadSecret('ns-a', 'sa-a')).toBeUndefined();
    expect(changes).toEqual([]);
  });

  it('retries a failed issuance after a delay that doubles, and pushes once it succeeds', async () => {
    const { cache, issuer, clock, changes, logs } = await setup({ retryAfterMs: 1_000 });
    issuer.failNext = 2;
    cache.opened(A);
    await cache.settled();
    expect(issuer.calls).toBe(1);
    clock.advance(999);
    await cache.settled();
    expect(issuer.calls).toBe(1);
    clock.advance(1);
    await cache.settled();
    expect(issuer.calls).toBe(2);
    // Second failure: two seconds this time.
    clock.advance(1_999);
    await cache.settled();
    expect(issuer.calls).toBe(2);
    clock.advance(1);
    await cache.settled();
    expect(issuer.calls).toBe(3);
    expect(cache.workloadSecret('ns-a', 'sa-a')).toBeDefined();
    expect(changes.map(keysOf)).toEqual([['ns-a/sa-a']]);
    expect(logs.filter((l) => l.includes('cannot issue a workload certificate'))).toHaveLength(2);
  });

  it('pushes ROOTCA to every authenticated stream when the trust bundle changes (root rotation)', async () => {
    const { cache, issuer, changes } = await setup();
    const next = await createSelfSignedRoot({ trustDomain: TRUST_DOMAIN, algorithm: 'ECDSA' });
    await issuer.ca.introduceRoot(next);
    expect(changes).toEqual([{ identities: new Set(), trustBundle: true }]);
    expect(cache.trustBundlePem()).toHaveLength(2);
    cache.close();
    issuer.ca.activateIntroducedRoot();
    expect(changes).toHaveLength(1);
  });

  it('never puts a private key in its log, its debug view or a serialised secret', async () => {
    const { cache, issuer, clock, logs } = await setup({ ttlSeconds: 600, random: () => 0, retryAfterMs: 10 });
    cache.opened(A);
    cache.opened(B);
    await cache.settled();
    clock.advance(400_000);
    await cache.settled();
    issuer.failNext = 1;
    clock.advance(400_000);
    await cache.settled();
    clock.advance(10);
    await cache.settled();
    cache.closed(A);
    const keys = issuer.issued.map((i) => i.result.privateKeyPem);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    const secret = cache.workloadSecret('ns-b', 'sa-b')!;
    const exposed = [...logs, JSON.stringify(cache.tracked()), JSON.stringify(secret), JSON.stringify({ ...secret })].join('\n');
    expect(exposed).not.toMatch(/PRIVATE KEY/);
    for (const key of keys) expect(exposed).not.toContain(key.split('\n')[1]!);
    expect(logs.some((l) => l.includes('issued workload certificate'))).toBe(true);
  });
});
