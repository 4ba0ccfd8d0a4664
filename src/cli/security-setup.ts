/**
 * Citadel's half of `tsiod serve`: the CA (plugged-in, stored or created),
 * the authenticators that turn a bearer token or a client certificate into
 * a namespace/service account, the workload-certificate cache behind SDS
 * `default`/`ROOTCA`, and the TLS port (istiod's 15012) that serves
 * authenticated xDS and IstioCertificateService side by side.
 *
 * The xDS server exists before the CA does (the CA's trust domain comes from
 * the mesh config, known only after the initial load), so the server is given
 * a SecurityBinding: it forwards to the CA parts once they are attached and
 * refuses secrets and authentication until then. The authenticated port is
 * only opened after attaching, so no stream ever meets an unattached binding.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { loadOrCreateCa, type LoadedCa } from '../ca/bootstrap-ca.js';
import type { CaStore } from '../ca/ca-store.js';
import { authenticateCaller, AuthenticationError, callerCredentials, type Authenticator } from '../ca/authn/authenticator.js';
import { ClientCertificateAuthenticator } from '../ca/authn/client-certificate-authenticator.js';
import { JwtAuthenticator } from '../ca/authn/jwt-authenticator.js';
import type { JwtRule } from '../ca/authn/jwt-rule.js';
import { KubernetesTokenAuthenticator } from '../ca/authn/kubernetes-token-authenticator.js';
import { LocalTokenIssuer } from '../ca/authn/local-token-issuer.js';
import { KubernetesCaStore } from '../ca/kubernetes/kubernetes-ca-store.js';
import { leaseLock } from '../ca/kubernetes/lease-lock.js';
import { RootCertPublisher } from '../ca/kubernetes/root-cert-publisher.js';
import { PluggedInCaWatcher } from '../ca/plugged-in-ca-watcher.js';
import type { RootKeyAlgorithm } from '../ca/self-signed-root.js';
import { SelfSignedRootRotator } from '../ca/self-signed-root-rotator.js';
import { addCertificateService } from '../ca/server/certificate-service.js';
import { createCaServingCredentials, istiodDnsNames, type CaServingCredentials } from '../ca/server/serving-credentials.js';
import { WorkloadCertificateCache, type TrackedIdentity } from '../ca/workload-certificate-cache.js';
import { createCaMetrics } from '../metrics/ca-metrics.js';
import type { VerifiedIdentity } from '../model/proxy.js';
import type { WorkloadSecret, WorkloadSecretProvider } from '../xds/gen/sds/workload-secret-provider.js';
import type { IdentityStreams, XdsAuthenticator, XdsStreamCall } from '../xds/server/stream-authentication.js';
import type { XdsServer } from '../xds/server/xds-server.js';
import { stateDirCaStore } from './ca-root.js';

/** What `tsiod serve` is told about the CA and the authenticated port. */
export interface SecurityServeOptions {
  /** Authenticated xDS + CA (TLS), istiod's 15012. 0 picks a free port; null or absent: no CA, no secure port. */
  readonly securePort?: number | null;
  /** File mode: where the self-signed CA (`<dir>/ca`) and the local token-signing key live. Default ~/.local/state/tsiod. */
  readonly stateDir?: string;
  /** File mode: an operator's CA directory (istiod's cacerts mount: ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem, or tls.crt/tls.key/ca.crt). */
  readonly pluggedInCaDir?: string;
  /** Key of a new self-signed root; RSA (2048, istiod's default) unless ECDSA (P-256). */
  readonly caKeyAlgorithm?: RootKeyAlgorithm;
  /** Lifetime of the certificates tsiod issues for SDS `default`; default 24h. */
  readonly workloadCertTtlSeconds?: number;
  /** Longest lifetime CreateCertificate grants; default 90 days. */
  readonly maxWorkloadCertTtlSeconds?: number;
  /** OIDC issuers whose tokens the CA and 15012 accept (istiod's --jwtRule). */
  readonly jwtRules?: readonly JwtRule[];
  /**
   * Self-signed root rotation (istiod's CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE, 20, and
   * _CHECK_INTERVAL, 1h; zero or less turns it off, as in istiod) and the overlap before a new root signs (24h).
   */
  readonly rootRotation?: { readonly gracePeriodPercentile?: number; readonly checkIntervalMs?: number; readonly overlapMs?: number };
}

/** Where the CA keeps its root and how callers are authenticated: a state directory, or the cluster. */
export type SecurityEnvironment =
  | { readonly kind: 'file'; readonly stateDir: string; readonly pluggedInCaDir?: string }
  | { readonly kind: 'kubernetes'; readonly kubeConfig: KubeConfig; readonly systemNamespace: string };

/** Name of the Lease replicas take turns on to create the self-signed root (tsiod's own; istiod has none). */
export const CA_ROOT_LEASE = 'tsiod-ca-root';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_STATE_HOME'] ?? path.join(env['HOME'] ?? hostname(), '.local', 'state');
  return path.join(base, 'tsiod');
}

/** The running CA side: what the binding forwards to. */
export interface SecurityRuntime {
  readonly ca: LoadedCa;
  readonly workloadCerts: WorkloadCertificateCache;
  readonly authenticators: readonly Authenticator[];
  /** Binds the TLS port with xDS and the CA service; returns the port. */
  listen(server: XdsServer, host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

/** Forwards the xDS server's secret and identity questions to the CA once it is attached. */
export class SecurityBinding implements WorkloadSecretProvider, IdentityStreams {
  private runtime: SecurityRuntime | undefined;

  attach(runtime: SecurityRuntime): void {
    this.runtime = runtime;
  }

  get attached(): SecurityRuntime | undefined {
    return this.runtime;
  }

  readonly authenticate: XdsAuthenticator = async (call: XdsStreamCall): Promise<VerifiedIdentity> => {
    const runtime = this.runtime;
    if (!runtime) throw new AuthenticationError('unavailable', 'the CA is not ready yet; retry');
    const caller = await authenticateCaller(runtime.authenticators, callerCredentials(call));
    return { namespace: caller.namespace, serviceAccount: caller.serviceAccount };
  };

  workloadSecret(namespace: string, serviceAccount: string): WorkloadSecret | undefined {
    return this.runtime?.workloadCerts.workloadSecret(namespace, serviceAccount);
  }

  trustBundlePem(): readonly string[] {
    return this.runtime?.workloadCerts.trustBundlePem() ?? [];
  }

  opened(identity: VerifiedIdentity): void {
    this.runtime?.workloadCerts.opened(identity);
  }

  closed(identity: VerifiedIdentity): void {
    this.runtime?.workloadCerts.closed(identity);
  }

  /** Identities with streams and their certificates' serials and expiry (never keys), for /debug. */
  tracked(): TrackedIdentity[] {
    return this.runtime?.workloadCerts.tracked() ?? [];
  }
}

export interface StartSecurityOptions {
  readonly environment: SecurityEnvironment;
  readonly options: SecurityServeOptions;
  readonly trustDomain: string;
  /** For the serving certificate's names (istiod.<ns>.svc, ...). */
  readonly systemNamespace: string;
  readonly revision?: string;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Sends renewed workload certificates to their streams (XdsServer.pushSecrets). */
  readonly pushSecrets: XdsServer['pushSecrets'];
}

/** Loads or creates the CA, and builds what the secure port serves. Nothing listens yet. */
export async function startSecurity(o: StartSecurityOptions): Promise<SecurityRuntime> {
  const logger = o.logger.child({ scope: 'ca' });
  const env = o.environment;
  const store: CaStore & { close?: () => void | Promise<void> } =
    env.kind === 'file'
      ? stateDirCaStore({ stateDir: env.stateDir, ...(env.pluggedInCaDir !== undefined ? { pluggedInDir: env.pluggedInCaDir } : {}) })
      : new KubernetesCaStore(env.kubeConfig, { namespace: env.systemNamespace });
  const creationLock =
    env.kind === 'kubernetes'
      ? leaseLock(env.kubeConfig, { namespace: env.systemNamespace, name: CA_ROOT_LEASE, holder: process.env['POD_NAME'] ?? hostname(), logger })
      : undefined;
  const ca = await loadOrCreateCa(
    store,
    {
      trustDomain: o.trustDomain,
      ...(o.options.caKeyAlgorithm !== undefined ? { algorithm: o.options.caKeyAlgorithm } : {}),
      ...(o.options.maxWorkloadCertTtlSeconds !== undefined ? { maxTtlSeconds: o.options.maxWorkloadCertTtlSeconds } : {}),
    },
    creationLock,
  );
  logger.info({ store: store.describe(), origin: ca.origin, trustDomain: o.trustDomain, rootExpiry: ca.authority.rootCertExpiry().toISOString() }, 'CA ready');

  // Istio's order: a client certificate of the mesh, then tokens.
  const authenticators: Authenticator[] = [new ClientCertificateAuthenticator({ trustDomain: o.trustDomain })];
  if (env.kind === 'kubernetes') authenticators.push(new KubernetesTokenAuthenticator(env.kubeConfig));
  else authenticators.push((await LocalTokenIssuer.open(env.stateDir)).authenticator());
  for (const rule of o.options.jwtRules ?? []) authenticators.push(await JwtAuthenticator.fromRule(rule));

  const workloadCerts = new WorkloadCertificateCache({
    issuer: ca.authority,
    trustDomain: o.trustDomain,
    logger,
    onSecretsChanged: (change) => {
      o.pushSecrets(change).catch((err: unknown) => logger.error({ err }, 'secret push failed'));
    },
    ...(o.options.workloadCertTtlSeconds !== undefined ? { ttlSeconds: o.options.workloadCertTtlSeconds } : {}),
  });

  let publisher: RootCertPublisher | undefined;
  let unsubscribePublisher: (() => void) | undefined;
  if (env.kind === 'kubernetes') {
    publisher = new RootCertPublisher(env.kubeConfig, { logger });
    // It retries on its own until the apiserver answers; serving does not wait for every namespace.
    void publisher.start(ca.authority.trustBundlePem());
    unsubscribePublisher = ca.authority.onTrustBundleChange((bundle) => void publisher?.update(bundle));
  }

  // Started after the publisher subscribed, so every step of a rotation reaches the ConfigMaps. Plugged-in CAs are not rotated.
  const rotation = o.options.rootRotation;
  const rotator =
    ca.origin === 'plugged-in' || (rotation?.checkIntervalMs !== undefined && rotation.checkIntervalMs <= 0)
      ? undefined
      : new SelfSignedRootRotator({
          ca,
          store,
          trustDomain: o.trustDomain,
          logger,
          ...(rotation?.gracePeriodPercentile !== undefined ? { gracePeriodPercentile: rotation.gracePeriodPercentile } : {}),
          ...(rotation?.checkIntervalMs !== undefined ? { checkIntervalMs: rotation.checkIntervalMs } : {}),
          ...(rotation?.overlapMs !== undefined ? { overlapMs: rotation.overlapMs } : {}),
          ...(o.options.maxWorkloadCertTtlSeconds !== undefined ? { maxWorkloadCertTtlSeconds: o.options.maxWorkloadCertTtlSeconds } : {}),
          ...(creationLock !== undefined ? { lock: creationLock } : {}),
        });
  rotator?.start();
  // istiod follows its cacerts mount (handleCACertsFileWatch) when it started with a plugged-in CA; so does tsiod.
  const pluggedInWatcher = ca.origin === 'plugged-in' ? new PluggedInCaWatcher({ store, authority: ca.authority, current: ca.material, logger }) : undefined;
  pluggedInWatcher?.start();

  const caMetrics = createCaMetrics(o.registry);
  let serving: CaServingCredentials | undefined;
  return {
    ca,
    workloadCerts,
    authenticators,
    async listen(server, host, port) {
      serving = await createCaServingCredentials(ca.authority, { dnsNames: istiodDnsNames(o.systemNamespace, o.revision), logger });
      return server.listenAuthenticated(host, port, serving.credentials, (grpcServer) =>
        addCertificateService(grpcServer, { ca: ca.authority, authenticators, metrics: caMetrics, logger }),
      );
    },
    async close() {
      await rotator?.stop();
      await pluggedInWatcher?.stop();
      workloadCerts.close();
      serving?.close();
      unsubscribePublisher?.();
      await publisher?.stop();
      await store.close?.();
    },
  };
}
