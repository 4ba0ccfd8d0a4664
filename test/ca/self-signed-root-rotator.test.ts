/**
 * SelfSignedRootRotator over a FileCaStore, with a short-lived root and a
 * manual clock: the rotation starts when the root enters the last 20% of its
 * lifetime (istiod's CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE),
 * the new root is trusted (and ROOTCA pushed) before any leaf is signed by it,
 * old-root and new-root workloads complete real mutual TLS during the
 * overlap, the old root is retired only once its leaves have expired, and
 * every step is in the store: a second replica follows it, a restarted one
 * resumes it. Certificates are judged with openssl and Node's X509Certificate.
 *
 * The clock starts in the past, so that certificates made on the manual
 * clock are valid on the wall clock too, where TLS handshakes judge them.
 */
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa, type LoadedCa } from '../../src/ca/bootstrap-ca.js';
import type { IssuedKeyAndCertificate } from '../../src/ca/certificate-authority.js';
import { FileCaStore } from '../../src/ca/file-ca-store.js';
import { SelfSignedRootRotator, type SelfSignedRootRotatorOptions } from '../../src/ca/self-signed-root-rotator.js';
import { addCertificateService } from '../../src/ca/server/certificate-service.js';
import { createCaServingCredentials } from '../../src/ca/server/serving-credentials.js';
import { WorkloadCertificateCache } from '../../src/ca/workload-certificate-cache.js';
import { createCaMetrics } from '../../src/metrics/ca-metrics.js';
import type { SecretChange } from '../../src/push/push-request.js';
import { ManualClock } from './manual-clock.js';
import { openssl, opensslRoot, opensslSigned, opensslVerify, Scratch } from './openssl-tools.js';
import { mutualTlsHandshake, type TlsParty } from './tls-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const td = 'cluster.local';
const frontend = { trustDomain: td, namespace: 'shop', serviceAccount: 'frontend' };
const backend = { trustDomain: td, namespace: 'shop', serviceAccount: 'backend' };
const MINUTE = 60_000;
/** The root lives two hours; its grace period (20%) is its last 24 minutes. */
const ROOT_LIFETIME_S = 2 * 3600;
const CHECK_INTERVAL_MS = MINUTE;
const OVERLAP_MS = 2 * MINUTE;
const MAX_TTL_S = 600;

let dirs = 0;
function freshDir(): string {
  return path.join(scratch.dir, `state-${dirs++}`);
}

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;
const fingerprints = (pems: readonly string[]): string[] => pems.map(fingerprint);
const validFrom = (pem: string): number => new Date(new X509Certificate(pem).validFrom).getTime();
const validTo = (pem: string): number => new Date(new X509Certificate(pem).validTo).getTime();
/** istiod's GetWaitTime: the grace period starts when 20% of the lifetime is left. */
const graceStart = (pem: string): number => validTo(pem) - 0.2 * (validTo(pem) - validFrom(pem));
const rootOf = (leaf: IssuedKeyAndCertificate): string => leaf.certChainPem.at(-1) ?? '';

/** openssl's verdict on a leaf against a bundle, at the manual clock's time. */
function verifies(leaf: IssuedKeyAndCertificate, bundle: readonly string[], at: number): boolean {
  try {
    opensslVerify(scratch, { leafPem: leaf.certChainPem[0] ?? '', bundlePem: bundle, extra: ['-attime', String(Math.floor(at / 1000))] });
    return true;
  } catch {
    return false;
  }
}

interface Replica {
  readonly store: FileCaStore;
  readonly ca: LoadedCa;
  readonly rotator: SelfSignedRootRotator;
  readonly logs: string[];
}

/** The clock starts 100 minutes back: the root made now is in its grace period 4 minutes before the wall clock's now. */
function pastClock(): ManualClock {
  return new ManualClock(Math.floor(Date.now() / 1000) * 1000 - 100 * MINUTE);
}

async function replica(dir: string, clock: ManualClock, o: Partial<SelfSignedRootRotatorOptions> & { pluggedInDir?: string } = {}): Promise<Replica> {
  const now = (): Date => clock.date();
  const store = new FileCaStore({ selfSignedDir: dir, now, ...(o.pluggedInDir !== undefined ? { pluggedInDir: o.pluggedInDir } : {}) });
  const ca = await loadOrCreateCa(store, { trustDomain: td, algorithm: 'ECDSA', rootValidForSeconds: ROOT_LIFETIME_S, defaultTtlSeconds: MAX_TTL_S, maxTtlSeconds: MAX_TTL_S, now });
  const logs: string[] = [];
  const rotator = new SelfSignedRootRotator({
    ca,
    store,
    trustDomain: td,
    logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    checkIntervalMs: CHECK_INTERVAL_MS,
    overlapMs: OVERLAP_MS,
    maxWorkloadCertTtlSeconds: MAX_TTL_S,
    rootValidForSeconds: ROOT_LIFETIME_S,
    clock,
    ...o,
  });
  return { store, ca, rotator, logs };
}

function party(leaf: IssuedKeyAndCertificate, trusted: readonly string[]): TlsParty {
  return { keyPem: leaf.privateKeyPem, certChainPem: leaf.certChainPem, trustedPem: trusted };
}

describe('SelfSignedRootRotator', () => {
  it('introduces a new root when the signing root enters its grace period, and pushes it as ROOTCA before any leaf is signed by it', async () => {
    const clock = pastClock();
    const dir = freshDir();
    const a = await replica(dir, clock);
    const oldRoot = a.ca.authority.signingRootPem();
    const changes: SecretChange[] = [];
    const cache = new WorkloadCertificateCache({ issuer: a.ca.authority, trustDomain: td, onSecretsChanged: (c) => changes.push(c), logger: pino({ level: 'silent' }), clock });
    cache.opened(frontend);
    await cache.settled();
    const givenBefore = cache.trustBundlePem();

    clock.set(graceStart(oldRoot) - 1000);
    expect((await a.rotator.checkNow()).phase).toBe('none');
    expect(fingerprints(a.ca.authority.trustBundlePem())).toEqual([fingerprint(oldRoot)]);

    clock.set(graceStart(oldRoot));
    const status = await a.rotator.checkNow();
    expect(status.phase).toBe('introduced');
    expect(status.nextStepAt?.getTime()).toBe(clock.now() + OVERLAP_MS);

    const bundle = a.ca.authority.trustBundlePem();
    expect(bundle).toHaveLength(2);
    const newRoot = bundle[0]!;
    expect(fingerprint(bundle[1]!)).toBe(fingerprint(oldRoot));
    // Same trust domain and algorithm, the configured lifetime, starting now less two minutes of clock skew: read by openssl.
    const text = openssl(['x509', '-noout', '-subject', '-issuer', '-text'], newRoot);
    expect(text).toMatch(/subject=O ?= ?cluster\.local/);
    expect(text).toMatch(/issuer=O ?= ?cluster\.local/);
    expect(text).toMatch(/id-ecPublicKey/);
    expect(text).toMatch(/CA:TRUE/);
    expect(validFrom(newRoot)).toBe(clock.now() - 2 * MINUTE);
    expect(validTo(newRoot) - validFrom(newRoot)).toBe(ROOT_LIFETIME_S * 1000);
    expect(fingerprint(newRoot)).not.toBe(fingerprint(oldRoot));

    // ROOTCA went to every stream; the workload keeps its old-root certificate, which still verifies.
    expect(changes.filter((c) => c.trustBundle)).toHaveLength(1);
    expect(fingerprints(cache.trustBundlePem())).toEqual(fingerprints(bundle));
    expect(fingerprints(givenBefore)).toEqual([fingerprint(oldRoot)]);

    // No leaf is signed by the new root yet: a peer that has not got the new bundle still accepts what is issued now.
    const leaf = await a.ca.authority.issueWorkloadCertificate(backend);
    expect(fingerprint(rootOf(leaf))).toBe(fingerprint(oldRoot));
    expect(verifies(leaf, [oldRoot], clock.now())).toBe(true);
    expect(verifies(leaf, [newRoot], clock.now())).toBe(false);

    // The store holds it: a fresh reader gets the same bundle, in the same order, and the new root's key.
    const stored = await new FileCaStore({ selfSignedDir: dir, now: () => clock.date() }).loadSelfSignedState();
    expect(fingerprints(stored!.state.active.rootCertsPem)).toEqual(fingerprints(bundle));
    expect(fingerprint(stored!.state.active.signingCertPem)).toBe(fingerprint(oldRoot));
    expect(fingerprint(stored!.state.introduced!.signingCertPem)).toBe(fingerprint(newRoot));
    expect(openssl(['pkey', '-pubout'], stored!.state.introduced!.signingKeyPem)).toBe(openssl(['x509', '-noout', '-pubkey'], newRoot));
    expect(stored!.state.rotation).toEqual({ phase: 'introduced', introducedAt: clock.date(), activateAt: new Date(clock.now() + OVERLAP_MS) });
    expect(a.logs.join('')).not.toContain('PRIVATE KEY');
    cache.close();
  });

  it('activates after the overlap: old-root and new-root workloads complete mutual TLS both ways, each trusting the bundle it was given', async () => {
    const clock = pastClock();
    const a = await replica(freshDir(), clock);
    const oldRoot = a.ca.authority.signingRootPem();
    const changes: SecretChange[] = [];
    const cache = new WorkloadCertificateCache({ issuer: a.ca.authority, trustDomain: td, onSecretsChanged: (c) => changes.push(c), logger: pino({ level: 'silent' }), clock });

    // frontend connects shortly before the rotation and gets an old-root certificate and the old bundle.
    clock.set(graceStart(oldRoot) - MINUTE);
    cache.opened(frontend);
    await cache.settled();
    const frontendLeaf = await a.ca.authority.issueWorkloadCertificate(frontend);
    let frontendTrusts = cache.trustBundlePem();
    expect(fingerprints(frontendTrusts)).toEqual([fingerprint(oldRoot)]);

    clock.set(graceStart(oldRoot));
    await a.rotator.checkNow();
    // ROOTCA reaches frontend's stream during the overlap.
    expect(changes.some((c) => c.trustBundle)).toBe(true);
    frontendTrusts = cache.trustBundlePem();
    const duringOverlap = await a.ca.authority.issueWorkloadCertificate(backend);
    expect(fingerprint(rootOf(duringOverlap))).toBe(fingerprint(oldRoot));

    clock.set(clock.now() + OVERLAP_MS - 1000);
    expect((await a.rotator.checkNow()).phase).toBe('introduced');
    expect(fingerprint(a.ca.authority.signingRootPem())).toBe(fingerprint(oldRoot));

    clock.set(clock.now() + 1000);
    const bundleChanges = changes.filter((c) => c.trustBundle).length;
    expect((await a.rotator.checkNow()).phase).toBe('activated');
    const newRoot = a.ca.authority.signingRootPem();
    expect(fingerprint(newRoot)).toBe(fingerprint(frontendTrusts[0]!));
    expect(fingerprints(a.ca.authority.trustBundlePem())).toEqual(fingerprints(frontendTrusts));
    // The activation is told to listeners (the serving certificate and the expiry gauge follow the signing root).
    expect(changes.filter((c) => c.trustBundle).length).toBe(bundleChanges + 1);
    expect(a.ca.authority.rootCertExpiry().getTime()).toBe(validTo(newRoot));

    // backend connects after activation: a new-root certificate and the bundle of now.
    const backendLeaf = await a.ca.authority.issueWorkloadCertificate(backend);
    const backendTrusts = cache.trustBundlePem();
    expect(fingerprint(rootOf(backendLeaf))).toBe(fingerprint(newRoot));
    expect(new X509Certificate(backendLeaf.certChainPem[0]!).checkIssued(new X509Certificate(newRoot))).toBe(true);

    const frontendServes = await mutualTlsHandshake(party(frontendLeaf, frontendTrusts), party(backendLeaf, backendTrusts), { expectServerSan: 'URI:spiffe://cluster.local/ns/shop/sa/frontend' });
    expect(frontendServes.clientSanSeenByServer).toBe('URI:spiffe://cluster.local/ns/shop/sa/backend');
    const backendServes = await mutualTlsHandshake(party(backendLeaf, backendTrusts), party(frontendLeaf, frontendTrusts), { expectServerSan: 'URI:spiffe://cluster.local/ns/shop/sa/backend' });
    expect(backendServes.clientSanSeenByServer).toBe('URI:spiffe://cluster.local/ns/shop/sa/frontend');
    // What the overlap bought: had frontend missed the new root, it would refuse backend.
    await expect(mutualTlsHandshake(party(frontendLeaf, [oldRoot]), party(backendLeaf, backendTrusts))).rejects.toThrow();
    cache.close();
  });

  it('the 15012 serving certificate and citadel_server_root_cert_expiry_timestamp follow the root that signs', async () => {
    const clock = pastClock();
    const a = await replica(freshDir(), clock);
    const oldRoot = a.ca.authority.signingRootPem();
    const registry = new Registry();
    const server = new grpc.Server();
    addCertificateService(server, { ca: a.ca.authority, authenticators: [], metrics: createCaMetrics(registry), logger: pino({ level: 'silent' }) });
    const rootExpiryGauge = async (): Promise<number | undefined> =>
      (await registry.getSingleMetric('citadel_server_root_cert_expiry_timestamp')?.get())?.values[0]?.value;
    clock.set(graceStart(oldRoot) - MINUTE);
    const serving = await createCaServingCredentials(a.ca.authority, { dnsNames: ['istiod.istio-system.svc'], logger: pino({ level: 'silent' }) });
    /** The root of the bundle whose key signed the serving certificate. */
    const servingRoot = (): string => {
      const leaf = new X509Certificate(serving.currentCertificateChainPem());
      const issuer = a.ca.authority.trustBundlePem().find((root) => leaf.verify(new X509Certificate(root).publicKey));
      return issuer === undefined ? 'none' : fingerprint(issuer);
    };
    expect(servingRoot()).toBe(fingerprint(oldRoot));
    expect(await rootExpiryGauge()).toBe(validTo(oldRoot) / 1000);

    clock.set(graceStart(oldRoot));
    await a.rotator.checkNow();
    // Introduced only: both still say the old root.
    expect(await rootExpiryGauge()).toBe(validTo(oldRoot) / 1000);
    clock.set(clock.now() + OVERLAP_MS);
    await a.rotator.checkNow();
    const newRoot = a.ca.authority.signingRootPem();
    expect(await rootExpiryGauge()).toBe(validTo(newRoot) / 1000);
    // The serving certificate is renewed in the background on the change.
    for (let i = 0; i < 200 && servingRoot() !== fingerprint(newRoot); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(servingRoot()).toBe(fingerprint(newRoot));
    serving.close();
    server.forceShutdown();
  });

  it('retires the old root only once every leaf it signed has expired', async () => {
    const clock = pastClock();
    const dir = freshDir();
    const a = await replica(dir, clock);
    const oldRoot = a.ca.authority.signingRootPem();
    clock.set(graceStart(oldRoot));
    await a.rotator.checkNow();
    clock.set(clock.now() + OVERLAP_MS - 1000);
    await a.rotator.checkNow();
    // The last old-root leaf, with the longest lifetime the CA grants, issued just before activation.
    const lastOldLeaf = await a.ca.authority.issueWorkloadCertificate(frontend, MAX_TTL_S);
    expect(fingerprint(rootOf(lastOldLeaf))).toBe(fingerprint(oldRoot));
    clock.set(clock.now() + 1000);
    const activated = await a.rotator.checkNow();
    const activatedAt = clock.now();
    const retireAt = activated.nextStepAt!.getTime();
    // No old-root leaf outlives the retirement; the longest workload TTL, a check interval and a 5 minute skew margin, capped by the old root's expiry.
    expect(validTo(lastOldLeaf.certChainPem[0]!)).toBeLessThan(retireAt);
    expect(retireAt).toBe(Math.min(activatedAt + MAX_TTL_S * 1000 + CHECK_INTERVAL_MS + 5 * MINUTE, validTo(oldRoot)));
    const newLeaf = await a.ca.authority.issueWorkloadCertificate(backend);

    clock.set(retireAt - 1000);
    expect((await a.rotator.checkNow()).phase).toBe('activated');
    expect(a.ca.authority.trustBundlePem()).toHaveLength(2);

    clock.set(retireAt);
    const retired = await a.rotator.checkNow();
    expect(retired.phase).toBe('none');
    const bundle = a.ca.authority.trustBundlePem();
    expect(fingerprints(bundle)).toEqual([fingerprint(a.ca.authority.signingRootPem())]);
    // Judged while each leaf is still valid: the new one verifies, the old one no longer does.
    expect(verifies(newLeaf, bundle, validTo(newLeaf.certChainPem[0]!) - 1000)).toBe(true);
    expect(verifies(lastOldLeaf, bundle, validTo(lastOldLeaf.certChainPem[0]!) - 1000)).toBe(false);
    expect(verifies(lastOldLeaf, [oldRoot], validTo(lastOldLeaf.certChainPem[0]!) - 1000)).toBe(true);
    // Stored so: one root, no rotation files left.
    const stored = await new FileCaStore({ selfSignedDir: dir, now: () => clock.date() }).loadSelfSignedState();
    expect(fingerprints(stored!.state.active.rootCertsPem)).toEqual(fingerprints(bundle));
    expect(stored!.state.rotation).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
    // The next rotation is due when the new root enters its own grace period.
    expect(retired.nextStepAt?.getTime()).toBe(graceStart(bundle[0]!));
  });

  it('a second replica sharing the store follows each step at its next check; two replicas checking at once introduce one root', async () => {
    const clock = pastClock();
    const dir = freshDir();
    const a = await replica(dir, clock);
    const b = await replica(dir, clock);
    const oldRoot = a.ca.authority.signingRootPem();
    expect(fingerprint(b.ca.authority.signingRootPem())).toBe(fingerprint(oldRoot));

    clock.set(graceStart(oldRoot));
    await Promise.all([a.rotator.checkNow(), b.rotator.checkNow()]);
    expect(a.ca.authority.trustBundlePem()).toHaveLength(2);
    expect(fingerprints(b.ca.authority.trustBundlePem())).toEqual(fingerprints(a.ca.authority.trustBundlePem()));

    clock.set(clock.now() + OVERLAP_MS);
    await a.rotator.checkNow();
    const newRoot = a.ca.authority.signingRootPem();
    expect(fingerprint(newRoot)).not.toBe(fingerprint(oldRoot));
    // b has not looked yet: it still signs with the old root, which everyone still trusts.
    expect(fingerprint(b.ca.authority.signingRootPem())).toBe(fingerprint(oldRoot));
    const fromB = await b.ca.authority.issueWorkloadCertificate(frontend);
    expect(verifies(fromB, a.ca.authority.trustBundlePem(), clock.now())).toBe(true);
    expect((await b.rotator.checkNow()).phase).toBe('activated');
    expect(fingerprint(b.ca.authority.signingRootPem())).toBe(fingerprint(newRoot));
    expect(fingerprints(b.ca.authority.trustBundlePem())).toEqual(fingerprints(a.ca.authority.trustBundlePem()));
    expect(b.logs.join('')).toMatch(/now following the stored state/);
  });

  it('a replica whose clock is a minute behind adopts the new root the other one made', async () => {
    const clock = pastClock();
    const dir = freshDir();
    const a = await replica(dir, clock);
    // b starts a little later (the first root, made at a's now, is then valid on b's clock too).
    clock.set(clock.now() + 5 * MINUTE);
    const lagging = new ManualClock(clock.now() - MINUTE);
    const b = await replica(dir, lagging);
    clock.set(graceStart(a.ca.authority.signingRootPem()));
    lagging.set(clock.now() - MINUTE);
    await a.rotator.checkNow();
    expect((await b.rotator.checkNow()).phase).toBe('introduced');
    expect(fingerprints(b.ca.authority.trustBundlePem())).toEqual(fingerprints(a.ca.authority.trustBundlePem()));
    lagging.set(clock.now() + OVERLAP_MS - MINUTE);
    clock.set(clock.now() + OVERLAP_MS);
    await a.rotator.checkNow();
    await b.rotator.checkNow();
    expect(fingerprint(b.ca.authority.signingRootPem())).toBe(fingerprint(a.ca.authority.signingRootPem()));
    expect(validTo(rootOf(await b.ca.authority.issueWorkloadCertificate(frontend)))).toBe(validTo(a.ca.authority.signingRootPem()));
  });

  it('a replica restarted mid-rotation resumes it: the introduced root (kept with its key) is the one activated', async () => {
    const clock = pastClock();
    const dir = freshDir();
    const first = await replica(dir, clock);
    const oldRoot = first.ca.authority.signingRootPem();
    clock.set(graceStart(oldRoot));
    await first.rotator.checkNow();
    const introduced = first.ca.authority.trustBundlePem()[0]!;
    await first.rotator.stop();

    clock.set(clock.now() + MINUTE);
    const restarted = await replica(dir, clock);
    expect(restarted.ca.origin).toBe('stored');
    // Bootstrap alone already trusts both roots and signs with the old one.
    expect(fingerprints(restarted.ca.authority.trustBundlePem())).toEqual([fingerprint(introduced), fingerprint(oldRoot)]);
    expect(fingerprint(restarted.ca.authority.signingRootPem())).toBe(fingerprint(oldRoot));
    expect((await restarted.rotator.checkNow()).phase).toBe('introduced');

    clock.set(clock.now() + MINUTE);
    expect((await restarted.rotator.checkNow()).phase).toBe('activated');
    expect(fingerprint(restarted.ca.authority.signingRootPem())).toBe(fingerprint(introduced));
    const leaf = await restarted.ca.authority.issueWorkloadCertificate(frontend);
    expect(verifies(leaf, [introduced], clock.now())).toBe(true);
  });

  it('rotateNow begins a rotation whatever the root’s age; asked again meanwhile, it lets the rotation go on at its pace', async () => {
    const clock = pastClock();
    const a = await replica(freshDir(), clock);
    const oldRoot = a.ca.authority.signingRootPem();
    expect(clock.now()).toBeLessThan(graceStart(oldRoot));
    const started = await a.rotator.rotateNow();
    expect(started.phase).toBe('introduced');
    const bundle = fingerprints(a.ca.authority.trustBundlePem());
    expect(bundle).toHaveLength(2);
    const again = await a.rotator.rotateNow();
    expect(again).toEqual(started);
    expect(fingerprints(a.ca.authority.trustBundlePem())).toEqual(bundle);
    expect(fingerprint(a.ca.authority.signingRootPem())).toBe(fingerprint(oldRoot));
  });

  it('started, it checks on its own timer: each interval, and when a step falls due', async () => {
    const clock = pastClock();
    const a = await replica(freshDir(), clock);
    const oldRoot = a.ca.authority.signingRootPem();
    const fireNextTimer = async (): Promise<void> => {
      const at = clock.nextTimerAt();
      if (at === undefined) throw new Error('no timer is pending');
      clock.advance(Math.max(0, at - clock.now()));
      await a.rotator.settled();
    };
    a.rotator.start();
    await a.rotator.settled();
    // Nothing due: the next check is an interval away.
    expect(clock.nextTimerAt()).toBe(clock.now() + CHECK_INTERVAL_MS);

    clock.set(graceStart(oldRoot) - 30_000);
    await fireNextTimer();
    expect(a.ca.authority.trustBundlePem()).toHaveLength(1);
    // The grace period starts before the next interval: the next check is then.
    expect(clock.nextTimerAt()).toBe(graceStart(oldRoot));
    await fireNextTimer();
    expect(a.ca.authority.trustBundlePem()).toHaveLength(2);

    const activateAt = graceStart(oldRoot) + OVERLAP_MS;
    while ((clock.nextTimerAt() ?? Infinity) < activateAt) await fireNextTimer();
    expect(fingerprint(a.ca.authority.signingRootPem())).toBe(fingerprint(oldRoot));
    expect(clock.nextTimerAt()).toBe(activateAt);
    await fireNextTimer();
    expect(fingerprint(a.ca.authority.signingRootPem())).not.toBe(fingerprint(oldRoot));
    await a.rotator.stop();
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('leaves a plugged-in CA alone, and the self-signed one stored beside it', async () => {
    const clock = pastClock();
    const dir = freshDir();
    // A self-signed root stored earlier, then an operator plugs in their CA.
    await replica(dir, clock);
    const root = opensslRoot(scratch, '/O=Istio/CN=Root CA', 'ec');
    const intermediate = opensslSigned(scratch, root, '/O=Istio/CN=Intermediate CA');
    const cacerts = path.join(scratch.dir, `cacerts-${dirs++}`);
    mkdirSync(cacerts);
    const files = { 'ca-cert.pem': intermediate.certPem, 'ca-key.pem': intermediate.keyPem, 'root-cert.pem': root.certPem, 'cert-chain.pem': `${intermediate.certPem}${root.certPem}` };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(cacerts, name), content, { mode: 0o600 });
    // openssl dates the operator's CA from the wall clock: move the manual clock there (the self-signed root is then in its grace period).
    clock.set(Math.floor(Date.now() / 1000) * 1000 + MINUTE);
    const plugged = await replica(dir, clock, { pluggedInDir: cacerts });
    expect(plugged.ca.origin).toBe('plugged-in');
    const storedBefore = await plugged.store.loadSelfSignedState();
    const bundleBefore = fingerprints(plugged.ca.authority.trustBundlePem());

    expect(clock.now()).toBeGreaterThan(graceStart(storedBefore!.state.active.signingCertPem));
    plugged.rotator.start();
    expect((await plugged.rotator.checkNow()).phase).toBe('plugged-in');
    await expect(plugged.rotator.rotateNow()).rejects.toThrow(/plugged in/);
    expect(clock.nextTimerAt()).toBeUndefined();
    expect((await plugged.store.loadSelfSignedState())?.version).toBe(storedBefore?.version);
    expect(fingerprints(plugged.ca.authority.trustBundlePem())).toEqual(bundleBefore);
    for (const [name, content] of Object.entries(files)) expect(readFileSync(path.join(cacerts, name), 'utf8')).toBe(content);
    expect(statSync(cacerts).isDirectory()).toBe(true);
  });

  it('refuses an overlap shorter than the check interval, and a grace percentile outside (0, 100)', async () => {
    const clock = pastClock();
    const a = await replica(freshDir(), clock);
    const base = { ca: a.ca, store: a.store, trustDomain: td, logger: pino({ level: 'silent' }) };
    expect(() => new SelfSignedRootRotator({ ...base, checkIntervalMs: 10 * MINUTE, overlapMs: MINUTE })).toThrow(/overlap .* at least the check interval/);
    expect(() => new SelfSignedRootRotator({ ...base, gracePeriodPercentile: 0 })).toThrow(/percentile/);
    expect(() => new SelfSignedRootRotator({ ...base, gracePeriodPercentile: 100 })).toThrow(/percentile/);
    expect(() => new SelfSignedRootRotator({ ...base, checkIntervalMs: 0 })).toThrow(/check interval/);
  });
});
