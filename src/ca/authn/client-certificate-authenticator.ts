/**
 * Callers that present a client certificate the TLS handshake verified
 * against tsiod's trust bundle (e.g. a workload renewing with its current
 * certificate, as istiod's ClientCertAuthenticator allows). The identity is
 * the certificate's one SPIFFE URI SAN, and its trust domain must be ours: a
 * certificate from a root we also trust but for another mesh is refused.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseSpiffeUri } from '../spiffe.js';
import { AuthenticationError, type AuthenticatedCaller, type Authenticator, type CallerCredentials } from './authenticator.js';
import { isNamespaceName, isServiceAccountName } from './service-account-name.js';

const SUBJECT_ALT_NAME = '2.5.29.17';
const BASIC_CONSTRAINTS = '2.5.29.19';
const GENERAL_NAME_URI = 6;

export interface ClientCertificateAuthenticatorOptions {
  /** Our trust domain; a function when the mesh config can change it. */
  readonly trustDomain: string | (() => string);
}

export class ClientCertificateAuthenticator implements Authenticator {
  readonly kind = 'client-certificate';
  private readonly trustDomain: () => string;

  constructor(options: ClientCertificateAuthenticatorOptions) {
    const td = options.trustDomain;
    this.trustDomain = typeof td === 'function' ? td : () => td;
  }

  async authenticate(credentials: CallerCredentials): Promise<AuthenticatedCaller | undefined> {
    const der = credentials.peerCertificateDer;
    if (der === undefined) return undefined;
    const uris = certificateUriSans(der);
    const spiffe = uris.filter((u) => u.startsWith('spiffe://'));
    if (spiffe.length === 0) throw new AuthenticationError('untrusted-certificate', 'the client certificate has no SPIFFE URI SAN');
    if (spiffe.length > 1) throw new AuthenticationError('untrusted-certificate', 'the client certificate has more than one SPIFFE URI SAN');
    const identity = parseSpiffeUri(spiffe[0] ?? '');
    if (!identity || !isNamespaceName(identity.namespace) || !isServiceAccountName(identity.serviceAccount)) {
      throw new AuthenticationError('not-a-service-account', 'the client certificate\'s SPIFFE URI is not spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>');
    }
    const ours = this.trustDomain();
    if (identity.trustDomain !== ours) {
      throw new AuthenticationError('untrusted-certificate', `the client certificate is for trust domain ${identity.trustDomain}, not ${ours}`);
    }
    return { namespace: identity.namespace, serviceAccount: identity.serviceAccount, via: 'client-certificate' };
  }
}

/**
 * The URI SANs of a DER certificate. A CA certificate is refused outright: it
 * may chain to our root, but it names an issuer, not a workload.
 */
export function certificateUriSans(der: Buffer): string[] {
  let certificate: pkijs.Certificate;
  try {
    const asn1 = asn1js.fromBER(new Uint8Array(der));
    if (asn1.offset === -1) throw new Error('not DER');
    certificate = new pkijs.Certificate({ schema: asn1.result });
  } catch {
    throw new AuthenticationError('untrusted-certificate', 'the client certificate could not be read');
  }
  const extensions = certificate.extensions ?? [];
  const basic = extensions.find((e) => e.extnID === BASIC_CONSTRAINTS)?.parsedValue as pkijs.BasicConstraints | undefined;
  if (basic?.cA) throw new AuthenticationError('untrusted-certificate', 'the client certificate is a CA certificate, not a workload\'s');
  const san = extensions.find((e) => e.extnID === SUBJECT_ALT_NAME)?.parsedValue as pkijs.AltName | undefined;
  return (san?.altNames ?? []).filter((n) => n.type === GENERAL_NAME_URI && typeof n.value === 'string').map((n) => n.value as string);
}
