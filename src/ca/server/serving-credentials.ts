/**
 * TLS for the CA and xDS port (15012): a serving certificate from our own CA
 * for istiod's DNS names, renewed at half its lifetime and whenever the trust
 * bundle changes, and client certificates requested but not required, so a
 * caller may authenticate with a token or with a certificate our bundle
 * verifies. grpc-js marks only verified client certificates in the call's
 * auth context; unverified ones are not an identity.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { IssuedKeyAndCertificate } from '../certificate-authority.js';
import { safeMessage } from './safe-message.js';

/** What serving needs of the CA; CertificateAuthority has it. */
export interface ServingCertificateSource {
  issueServingCertificate(dnsNames: readonly string[], ttlSeconds?: number): Promise<IssuedKeyAndCertificate>;
  trustBundlePem(): readonly string[];
  onTrustBundleChange(listener: (bundle: readonly string[]) => void): () => void;
}

/** The names istiod's certificate carries (istiod, istiod-remote and the legacy istio-pilot Services). */
export function istiodDnsNames(namespace: string, revision = 'default'): string[] {
  const istiod = revision === 'default' ? 'istiod' : `istiod-${revision}`;
  return [`${istiod}.${namespace}.svc`, `istiod-remote.${namespace}.svc`, `istio-pilot.${namespace}.svc`];
}

export interface CaServingCredentials {
  readonly credentials: grpc.ServerCredentials;
  /** The serving chain in use, leaf first (for clients that pin it, and tests). */
  currentCertificateChainPem(): string;
  close(): void;
}

type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** One grpc-js certificate provider for both halves: our serving pair and our trust bundle. */
class CaCertificateProvider implements grpc.experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  constructor(
    public ca: grpc.experimental.CaCertificateUpdate,
    public identity: grpc.experimental.IdentityCertificateUpdate,
  ) {}
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    listener(this.ca);
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    listener(this.identity);
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
  update(ca: grpc.experimental.CaCertificateUpdate, identity: grpc.experimental.IdentityCertificateUpdate): void {
    this.ca = ca;
    this.identity = identity;
    for (const listener of this.caListeners) listener(ca);
    for (const listener of this.identityListeners) listener(identity);
  }
}

const RETRY_AFTER_FAILURE_MS = 30_000;

export async function createCaServingCredentials(
  ca: ServingCertificateSource,
  options: { readonly dnsNames: readonly string[]; readonly logger: Logger; readonly ttlSeconds?: number },
): Promise<CaServingCredentials> {
  const issue = async (): Promise<{ ca: grpc.experimental.CaCertificateUpdate; identity: grpc.experimental.IdentityCertificateUpdate; renewInMs: number; chain: string }> => {
    const issued = await ca.issueServingCertificate(options.dnsNames, options.ttlSeconds);
    // The root stays out of what we send: the peer has it, or the handshake should fail.
    const sent = issued.certChainPem.length > 1 ? issued.certChainPem.slice(0, -1) : issued.certChainPem;
    const chain = sent.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');
    const lifetimeMs = issued.notAfter.getTime() - Date.now();
    return {
      ca: { caCertificate: Buffer.from(ca.trustBundlePem().join('\n')) },
      identity: { certificate: Buffer.from(chain), privateKey: Buffer.from(issued.privateKeyPem) },
      renewInMs: Math.max(1_000, lifetimeMs / 2),
      chain,
    };
  };

  const first = await issue();
  const provider = new CaCertificateProvider(first.ca, first.identity);
  let chain = first.chain;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = (ms: number): void => {
    clearTimeout(timer);
    if (closed) return;
    timer = setTimeout(() => void renew('half its lifetime passed'), ms);
    timer.unref();
  };
  const renew = async (why: string): Promise<void> => {
    if (closed) return;
    try {
      const next = await issue();
      if (closed) return;
      provider.update(next.ca, next.identity);
      chain = next.chain;
      options.logger.info({ dnsNames: options.dnsNames, why }, 'renewed the CA serving certificate');
      schedule(next.renewInMs);
    } catch (error) {
      options.logger.error({ err: safeMessage(String(error)) }, 'cannot renew the CA serving certificate; retrying');
      schedule(RETRY_AFTER_FAILURE_MS);
    }
  };
  schedule(first.renewInMs);
  const unsubscribe = ca.onTrustBundleChange(() => void renew('the trust bundle changed'));

  // Client certificates are asked for but optional: a token is enough. The same provider serves both halves.
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
  // grpc-js reads a server's initial TLS context before it subscribes to the providers, and drops connections
  // until the first update reaches it. Subscribing now makes the context ready before any bind.
  const keepReady = (): void => undefined;
  credentials._addWatcher(keepReady);

  return {
    credentials,
    currentCertificateChainPem: () => chain,
    close: () => {
      closed = true;
      clearTimeout(timer);
      unsubscribe();
      credentials._removeWatcher(keepReady);
    },
  };
}
