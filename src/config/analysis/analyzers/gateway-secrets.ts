/**
 * The certificates Gateways serve (Istio's gateway.SecretAnalyzer): for each
 * server's tls.credentialName, looked up in the namespace of the gateway
 * workload the Gateway selects (or "namespace/name"):
 * - ReferencedResourceNotFound (IST0101) "credentialName": no such Secret;
 * - InvalidGatewayCredential (IST0161): the Secret has neither cert and key
 *   nor tls.crt and tls.key, or its certificate is not PEM, or is expired or
 *   not valid yet.
 * A Gateway selecting no Pod is reported as ReferencedResourceNotFound
 * "selector", as gateway.IngressGatewayPortAnalyzer does. When the source
 * could not list Secrets (a cluster whose RBAC forbids it), credentials are
 * not checked.
 */
import { X509Certificate } from 'node:crypto';
import type { ConfigObject } from '../../config-object.js';
import { resourceOf, type Analyzer } from '../context.js';
import { shortOrFullName } from '../hosts.js';
import { asString, field, objectsOf, specOf, stringMap } from '../json.js';
import { newMessage } from '../message.js';
import { InvalidGatewayCredential, ReferencedResourceNotFound } from '../messages.js';
import { selectorString } from '../selectors.js';

export const gatewaySecretsAnalyzer: Analyzer = {
  name: 'gateway.SecretAnalyzer',
  description: 'Checks a gateway\'s referenced secrets for correctness',
  analyze(context, report) {
    for (const gateway of context.of('Gateway')) {
      const spec = specOf(gateway);
      const selector = stringMap(spec['selector']);
      const workload = context.select('Pod', selector)[0];
      if (!workload) {
        report(newMessage(ReferencedResourceNotFound, resourceOf(gateway), 'selector', selectorString(selector)));
        continue;
      }
      if (!context.canRead('Secret')) continue;
      const namespace = workload.metadata.namespace;
      for (const [server] of objectsOf(spec['servers'])) {
        const credential = asString(field(server, 'tls', 'credentialName')) ?? '';
        if (credential === '') continue;
        const name = shortOrFullName(credential, namespace);
        const secret = context.get('Secret', name.namespace, name.name);
        if (!secret) report(newMessage(ReferencedResourceNotFound, resourceOf(gateway), 'credentialName', credential));
        else if (!validCredential(secret, context.now)) report(newMessage(InvalidGatewayCredential, resourceOf(gateway), gateway.metadata.name, namespace));
      }
    }
  },
};

/** Istio's ExtractCertInfo then ValidateCertificate: a non-empty cert/key or tls.crt/tls.key pair, the certificate PEM and valid now. */
function validCredential(secret: ConfigObject, now: Date): boolean {
  const data = secretData(secret);
  const pair = (certKey: string, keyKey: string): Buffer | undefined => {
    const cert = data.get(certKey);
    const key = data.get(keyKey);
    return cert && key && cert.length > 0 && key.length > 0 ? cert : undefined;
  };
  const cert = pair('cert', 'key') ?? pair('tls.crt', 'tls.key');
  if (!cert || !cert.toString('latin1').includes('-----BEGIN')) return false;
  try {
    const parsed = new X509Certificate(cert);
    return now >= new Date(parsed.validFrom) && now <= new Date(parsed.validTo);
  } catch {
    return false;
  }
}

/** A Secret's data (base64) and stringData (plain, and winning, as the apiserver merges them). */
function secretData(secret: ConfigObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(stringMap(secret.content['data']))) out.set(key, Buffer.from(value, 'base64'));
  for (const [key, value] of Object.entries(stringMap(secret.content['stringData']))) out.set(key, Buffer.from(value, 'utf8'));
  return out;
}
