/**
 * An SDS resource name for a credentialName Secret, as Istio's
 * credentials.ParseResourceName reads "kubernetes://" names: "<name>" is
 * resolved in the requesting proxy's namespace, "<namespace>/<name>" names
 * one explicitly; a "-cacert" suffix asks for the CA half.
 */
import { CA_CERT_SUFFIX } from '../common/sds-config.js';

const KUBERNETES_PREFIX = 'kubernetes://';

export interface CredentialResource {
  readonly namespace: string;
  /** The Secret name as asked, "-cacert" suffix included. */
  readonly name: string;
  readonly caOnly: boolean;
}

/** Undefined for names that are not Kubernetes Secret references, or are malformed. */
export function parseCredentialResourceName(resourceName: string, proxyNamespace: string): CredentialResource | undefined {
  if (!resourceName.startsWith(KUBERNETES_PREFIX)) return undefined;
  const rest = resourceName.slice(KUBERNETES_PREFIX.length);
  const parts = rest.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) return undefined;
  const [namespace, name] = parts.length === 2 ? (parts as [string, string]) : [proxyNamespace, parts[0] as string];
  return { namespace, name, caOnly: name.endsWith(CA_CERT_SUFFIX) };
}
