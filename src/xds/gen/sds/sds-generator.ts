/**
 * SDS: the secrets a stream may read, all by name (Envoy always asks for
 * secrets by name; a wildcard request gets nothing). Every secret needs a
 * stream that authenticated: the node is the client's own claim, so an
 * unauthenticated stream gets none (Istio refuses SDS without a verified
 * identity).
 *
 * - "default": the authenticated identity's own key and certificate chain,
 *   and only its own (the key is the identity, never a name in the request).
 * - "ROOTCA": the trust bundle.
 * - credentialName Secrets ("kubernetes://..."): only to a gateway proxy
 *   whose authenticated namespace is its node's, and only Secrets of that
 *   namespace (Istio's default authorization in pilot/pkg/xds/sds.go).
 *   "<name>-cacert" is the Secret of that name if it holds a CA, else the
 *   CA keys of "<name>" (Istio's GetCaCert).
 *
 * Workload secrets come from an injected provider; without one (no CA)
 * "default" and "ROOTCA" do not exist.
 */
import type { MeshSnapshot } from '../../../model/types.js';
import { identityKey, type SecretChange } from '../../../push/push-request.js';
import { CA_CERT_SUFFIX, ROOT_CA_SECRET, WORKLOAD_CERT_SECRET } from '../common/sds-config.js';
import { SecretType } from '../../proto/type-urls.js';
import type { GeneratedResource, ResourceGenerator } from '../generator.js';
import { tlsCertificateSecret, trustBundleSecret, validationContextSecret, workloadCertificateSecret } from './build-secret.js';
import { parseCredentialResourceName } from './credential-resource-name.js';
import type { WorkloadSecretProvider } from './workload-secret-provider.js';

export type SdsKey =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'identity';
      /** The authenticated identity, never the node's claim. */
      readonly namespace: string;
      readonly serviceAccount: string;
      /** A gateway whose node namespace is its authenticated one: it may read that namespace's credentialName Secrets. */
      readonly gatewayCredentials: boolean;
    };

function credentialSecret(snapshot: MeshSnapshot, resourceName: string, namespace: string): Record<string, unknown> | undefined {
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

function workloadSecret(provider: WorkloadSecretProvider | undefined, name: string, namespace: string, serviceAccount: string): Record<string, unknown> | undefined {
  if (!provider) return undefined;
  if (name === WORKLOAD_CERT_SECRET) {
    const secret = provider.workloadSecret(namespace, serviceAccount);
    return secret ? workloadCertificateSecret(name, secret) : undefined;
  }
  const roots = provider.trustBundlePem();
  return roots.length > 0 ? trustBundleSecret(name, roots) : undefined;
}

/** The SDS generator; `workloadSecrets` serves "default" and "ROOTCA" (left out: tsiod runs without a CA). */
export function createSdsGenerator(workloadSecrets?: WorkloadSecretProvider): ResourceGenerator<SdsKey> {
  return {
    typeUrl: SecretType,
    keyOf: (proxy) => {
      const identity = proxy.verifiedIdentity;
      if (!identity) return { kind: 'none' };
      return {
        kind: 'identity',
        namespace: identity.namespace,
        serviceAccount: identity.serviceAccount,
        gatewayCredentials: proxy.type === 'router' && identity.namespace === proxy.namespace,
      };
    },
    generate(snapshot: MeshSnapshot, key: SdsKey, names?: ReadonlySet<string>): GeneratedResource[] {
      if (key.kind === 'none' || !names) return [];
      const out: GeneratedResource[] = [];
      for (const name of [...names].sort()) {
        const resource =
          name === WORKLOAD_CERT_SECRET || name === ROOT_CA_SECRET
            ? workloadSecret(workloadSecrets, name, key.namespace, key.serviceAccount)
            : key.gatewayCredentials
              ? credentialSecret(snapshot, name, key.namespace)
              : undefined;
        if (resource) out.push({ name, resource });
      }
      return out;
    },
    affectedBySecrets(key: SdsKey, change: SecretChange): ReadonlySet<string> {
      const stale = new Set<string>();
      if (key.kind === 'none' || !workloadSecrets) return stale;
      if (change.identities.has(identityKey(key.namespace, key.serviceAccount))) stale.add(WORKLOAD_CERT_SECRET);
      if (change.trustBundle) stale.add(ROOT_CA_SECRET);
      return stale;
    },
  };
}

/** SDS without a CA: gateway credentials only. */
export const sdsGenerator: ResourceGenerator<SdsKey> = createSdsGenerator();
