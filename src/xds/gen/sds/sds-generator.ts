/**
 * SDS for gateway credentials. A gateway proxy may read the credentialName
 * Secrets of its own namespace and no other (Istio's default authorization
 * in pilot/pkg/xds/sds.go: same namespace, or nothing); sidecars and
 * proxyless clients get none. The namespace that counts is the one the
 * stream authenticated as, and it must be the node's too: the node id is
 * the client's own claim, so an unauthenticated stream gets no secrets
 * (Istio refuses SDS without a verified identity). Resources exist only by name, as Envoy
 * always asks for secrets: a wildcard request gets nothing.
 *
 * "<name>-cacert" is the Secret of that name if it holds a CA, else the CA
 * keys of "<name>" (Istio's GetCaCert).
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { CA_CERT_SUFFIX } from '../common/sds-config.js';
import { SecretType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { tlsCertificateSecret, validationContextSecret } from './build-secret.js';
import { parseCredentialResourceName } from './credential-resource-name.js';

export type SdsKey = { readonly kind: 'router'; readonly namespace: string } | { readonly kind: 'none' };

function secretFor(snapshot: MeshSnapshot, resourceName: string, namespace: string): Record<string, unknown> | undefined {
  const parsed = parseCredentialResourceName(resourceName, namespace);
  if (!parsed || parsed.namespace !== namespace) return undefined;
  const credentials = snapshot.gatewayCredentials;
  if (parsed.caOnly) {
    const bundle =
      credentials.caBundle(namespace, parsed.name) ?? credentials.caBundle(namespace, parsed.name.slice(0, -CA_CERT_SUFFIX.length));
    return bundle ? validationContextSecret(resourceName, bundle) : undefined;
  }
  const pair = credentials.keyPair(namespace, parsed.name);
  return pair ? tlsCertificateSecret(resourceName, pair) : undefined;
}

export const sdsGenerator: ResourceGenerator<SdsKey> = {
  typeUrl: SecretType,
  keyOf: (proxy) =>
    proxy.type === 'router' && proxy.verifiedIdentity !== undefined && proxy.verifiedIdentity.namespace === proxy.namespace
      ? { kind: 'router', namespace: proxy.verifiedIdentity.namespace }
      : { kind: 'none' },
  generate(snapshot: MeshSnapshot, key: SdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
    if (key.kind === 'none' || !names) return [];
    const out: GeneratedResource[] = [];
    for (const name of [...names].sort()) {
      const resource = secretFor(snapshot, name, key.namespace);
      if (resource) out.push({ name, resource });
    }
    return out;
  },
};
