/**
 * The CA server's metrics, with istiod's names and labels
 * (security/pkg/server/ca/monitoring.go): CSRs received, certificates issued,
 * authentication failures, CSR parsing errors, signing errors by Istio's
 * error type, and when the root (and a plugged-in chain) expires.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** istiod's caerror types (security/pkg/pki/error), the `error` label of citadel_server_csr_sign_err_count. */
export type CertSignErrorType = 'CA_NOT_READY' | 'CSR_ERROR' | 'TTL_ERROR' | 'CERT_GEN_ERROR';

export interface CaMetrics {
  csrReceived(): void;
  authenticationFailed(): void;
  /** The CSR could not be read or its signature is wrong. */
  csrParsingFailed(): void;
  signFailed(type: CertSignErrorType): void;
  certificateIssued(): void;
  /** The current root's expiry and, for a plugged-in intermediate, the signing chain's. Call again after a rotation. */
  recordCertExpiry(expiry: { readonly root: Date; readonly certChain?: Date }): void;
}

export function createCaMetrics(registry: Registry, now: () => number = Date.now): CaMetrics {
  const counter = (name: string, help: string, labelNames: string[] = []): Counter => new Counter({ name, help, labelNames, registers: [registry] });
  const csr = counter('citadel_server_csr_count', 'The number of CSRs received by Citadel server.');
  const authnError = counter('citadel_server_authentication_failure_count', 'The number of authentication failures.');
  const csrParsing = counter('citadel_server_csr_parsing_err_count', 'The number of errors occurred when parsing the CSR.');
  const signError = counter('citadel_server_csr_sign_err_count', 'The number of errors occurred when signing the CSR.', ['error']);
  const success = counter('citadel_server_success_cert_issuance_count', 'The number of certificates issuances that have succeeded.');

  let rootExpiryMs: number | undefined;
  let chainExpiryMs: number | undefined;
  const rootTimestamp = new Gauge({ name: 'citadel_server_root_cert_expiry_timestamp', help: 'The unix timestamp, in seconds, when the root cert will expire.', registers: [registry] });
  new Gauge({
    name: 'citadel_server_root_cert_expiry_seconds',
    help: 'The time remaining, in seconds, before the root cert will expire. A negative value indicates the cert is expired.',
    registers: [registry],
    // Derived at scrape time, as istiod's NewDerivedGauge: the remaining time shrinks without anyone recording it.
    collect() {
      if (rootExpiryMs !== undefined) this.set((rootExpiryMs - now()) / 1000);
    },
  });
  const chainTimestamp = new Gauge({ name: 'citadel_server_cert_chain_expiry_timestamp', help: 'The unix timestamp, in seconds, when Istio generated cert chain will expire.', registers: [registry] });
  new Gauge({
    name: 'citadel_server_cert_chain_expiry_seconds',
    help: 'The time remaining, in seconds, before the Istio Generated cert chain will expire. A negative value indicates the cert is expired.',
    registers: [registry],
    collect() {
      if (chainExpiryMs !== undefined) this.set((chainExpiryMs - now()) / 1000);
    },
  });

  return {
    csrReceived: () => csr.inc(),
    authenticationFailed: () => authnError.inc(),
    csrParsingFailed: () => csrParsing.inc(),
    signFailed: (type) => signError.inc({ error: type }),
    certificateIssued: () => success.inc(),
    recordCertExpiry: ({ root, certChain }) => {
      rootExpiryMs = root.getTime();
      rootTimestamp.set(Math.floor(rootExpiryMs / 1000));
      if (certChain) {
        chainExpiryMs = certChain.getTime();
        chainTimestamp.set(Math.floor(chainExpiryMs / 1000));
      }
    },
  };
}
