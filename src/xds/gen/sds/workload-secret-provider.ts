/**
 * Where the SDS generator gets a workload's own certificate and the mesh
 * trust bundle. serve.ts injects an implementation backed by the CA (the
 * workload-certificate cache); the generator never sees the CA itself, so
 * the xDS flow stays free of key-issuing code.
 */

export interface WorkloadSecret {
  /** PEM certificates, leaf first (as Istio's agent serves "default": leaf, intermediates, root). */
  readonly certChainPem: string;
  /** PKCS#8 PEM. Never logged, never in an error message. */
  readonly privateKeyPem: string;
}

export interface WorkloadSecretProvider {
  /**
   * The current key and chain of namespace/serviceAccount, or undefined while
   * none has been issued yet. A provider that returns undefined is expected to
   * issue one and then ask for a secret push to that identity's streams.
   */
  workloadSecret(namespace: string, serviceAccount: string): WorkloadSecret | undefined;
  /** PEM root certificates every workload trusts, current root first; empty when there is none. */
  trustBundlePem(): readonly string[];
}
