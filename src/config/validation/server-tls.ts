/**
 * ServerTLSSettings, shared by Gateway servers and Sidecar ingress listeners:
 * field shapes plus Istio's validateTLSOptions (which certificates each mode
 * needs or forbids). Warnings Istio only logs (cipher suites, certificates a
 * passthrough mode ignores) are not errors here either.
 */
import type { JsonObject, JsonValue } from '../config-object.js';
import type { ErrorList } from './error-list.js';
import { arrayField, booleanField, enumField, objectElements, objectField, stringField, stringList } from './fields.js';

export const SERVER_TLS_MODES = ['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'] as const;
export type ServerTlsMode = (typeof SERVER_TLS_MODES)[number];
const TLS_VERSIONS = ['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'] as const;
/** The CRD's maxItems for credentialNames and tlsCertificates. */
const MAX_CERTIFICATES = 2;

export interface ServerTls {
  /** PASSTHROUGH when unset (the enum's zero value); undefined when the mode is not one Istio knows. */
  readonly mode: ServerTlsMode | undefined;
  readonly httpsRedirect: boolean;
  readonly serverCertificate: string;
  readonly privateKey: string;
  readonly caCertificates: string;
  readonly caCrl: string;
  readonly credentialName: string;
  readonly credentialNames: readonly string[];
  readonly subjectAltNames: readonly string[];
  readonly tlsCertificates: ReadonlyArray<readonly [JsonObject, string]>;
}

/** Reads `tls` at `path`, checking each field's type; undefined when absent or not an object. */
export function readServerTls(errors: ErrorList, value: JsonValue | undefined, path: string): ServerTls | undefined {
  const tls = objectField(errors, value, path);
  if (!tls) return undefined;
  const text = (field: string): string => stringField(errors, tls[field], `${path}.${field}`) ?? '';
  const mode = tls['mode'] === undefined || tls['mode'] === null ? 'PASSTHROUGH' : enumField(errors, tls['mode'], `${path}.mode`, SERVER_TLS_MODES, 'TLS mode');
  const credentialNames = stringList(errors, tls['credentialNames'], `${path}.credentialNames`);
  if (credentialNames.length > MAX_CERTIFICATES) errors.add(`${path}.credentialNames`, `must have at most ${MAX_CERTIFICATES} items`);
  const tlsCertificates = objectElements(errors, arrayField(errors, tls['tlsCertificates'], `${path}.tlsCertificates`), `${path}.tlsCertificates`);
  if (tlsCertificates.length > MAX_CERTIFICATES) errors.add(`${path}.tlsCertificates`, `must have at most ${MAX_CERTIFICATES} items`);
  for (const [certificate, certificatePath] of tlsCertificates) {
    for (const field of ['serverCertificate', 'privateKey', 'caCertificates']) stringField(errors, certificate[field], `${certificatePath}.${field}`);
  }
  for (const field of ['cipherSuites', 'ecdhCurves', 'verifyCertificateSpki', 'verifyCertificateHash']) stringList(errors, tls[field], `${path}.${field}`);
  enumField(errors, tls['minProtocolVersion'], `${path}.minProtocolVersion`, TLS_VERSIONS, 'TLS version');
  enumField(errors, tls['maxProtocolVersion'], `${path}.maxProtocolVersion`, TLS_VERSIONS, 'TLS version');
  booleanField(errors, tls['insecureSkipVerify'], `${path}.insecureSkipVerify`);
  text('caCertCredentialName');
  return {
    mode,
    httpsRedirect: booleanField(errors, tls['httpsRedirect'], `${path}.httpsRedirect`) ?? false,
    serverCertificate: text('serverCertificate'),
    privateKey: text('privateKey'),
    caCertificates: text('caCertificates'),
    caCrl: text('caCrl'),
    credentialName: text('credentialName'),
    credentialNames,
    subjectAltNames: stringList(errors, tls['subjectAltNames'], `${path}.subjectAltNames`),
    tlsCertificates,
  };
}

/** Istio's validateTLSOptions, on settings read by readServerTls. */
export function checkServerTlsOptions(errors: ErrorList, tls: ServerTls, path: string): void {
  const { mode } = tls;
  if (mode === 'ISTIO_MUTUAL') {
    // ISTIO_MUTUAL uses the workload's own certificates: any other source is a mistake.
    if (tls.serverCertificate !== '') errors.add(`${path}.serverCertificate`, 'ISTIO_MUTUAL TLS cannot have associated server certificate');
    if (tls.privateKey !== '') errors.add(`${path}.privateKey`, 'ISTIO_MUTUAL TLS cannot have associated private key');
    if (tls.caCertificates !== '') errors.add(`${path}.caCertificates`, 'ISTIO_MUTUAL TLS cannot have associated CA bundle');
    if (tls.tlsCertificates.length > 0) errors.add(`${path}.tlsCertificates`, 'ISTIO_MUTUAL TLS cannot have associated tlsCertificates');
    if (tls.credentialName !== '') errors.add(`${path}.credentialName`, 'ISTIO_MUTUAL TLS cannot have associated credentialName');
    if (tls.credentialNames.length > 0) errors.add(`${path}.credentialNames`, 'ISTIO_MUTUAL TLS cannot have associated credentialNames');
    return;
  }
  const sources = [
    tls.serverCertificate !== '' && tls.privateKey !== '',
    tls.credentialName !== '',
    tls.credentialNames.length > 0,
    tls.tlsCertificates.length > 0,
  ].filter(Boolean).length;
  if (sources > 1) errors.add(path, 'only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified');

  const terminates = mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
  // With a credential the certificates come from a Secret, so none is required inline.
  if (terminates && (tls.credentialName !== '' || tls.credentialNames.length > 0)) return;
  if (terminates) {
    const prefix = mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
    if (mode !== 'SIMPLE' && tls.caCertificates === '') errors.add(`${path}.caCertificates`, `${prefix} requires a client CA bundle`);
    const certificates: Array<[string, string, string]> =
      tls.tlsCertificates.length > 0
        ? tls.tlsCertificates.map(([c, p]) => [textOf(c['serverCertificate']), textOf(c['privateKey']), p])
        : [[tls.serverCertificate, tls.privateKey, path]];
    for (const [serverCertificate, privateKey, certificatePath] of certificates) {
      if (serverCertificate === '') errors.add(`${certificatePath}.serverCertificate`, `${prefix} requires a server certificate`);
      if (privateKey === '') errors.add(`${certificatePath}.privateKey`, `${prefix} requires a private key`);
    }
  }
  if (tls.caCrl !== '') {
    if (tls.credentialName !== '') errors.add(`${path}.caCrl`, 'CRL is not supported with credentialName. CRL has to be specified in the credential');
    if (mode === 'SIMPLE') errors.add(`${path}.caCrl`, 'CRL is not supported with SIMPLE TLS');
  }
}

function textOf(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}
