/**
 * The certificates Gateways serve (Istio's gateway.SecretAnalyzer). For each
 * Gateway it finds the namespace of the gateway workload it selects (the
 * first Pod its selector matches, in any namespace) and, for each server's
 * tls.credentialName, the Secret there (or at "namespace/name"):
 * - ReferencedResourceNotFound (IST0101) "selector": no Pod matches the
 *   selector, so there is no namespace to look in (Istio's SecretAnalyzer
 *   reports this itself, as gateway.IngressGatewayPortAnalyzer also does;
 *   the two identical messages are one);
 * - ReferencedResourceNotFound (IST0101) "credentialName": no such Secret;
 * - InvalidGatewayCredential (IST0161): the Secret has no non-empty cert and
 *   key (or tls.crt and tls.key), or its first PEM block is not
 *   certificates valid now, as Istio checks; or, beyond Istio's analyzer but
 *   what Envoy refuses to load, its key is not a PEM private key matching
 *   the certificate. The message is Istio's and names no part of the data.
 * When the source could not list Secrets (a cluster whose RBAC forbids it),
 * credentials are not checked.
 */
import { credentialProblem, secretData } from '../../kubernetes/credentials.js';
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
        else if (credentialProblem(secretData(secret), context.now) !== undefined) {
          report(newMessage(InvalidGatewayCredential, resourceOf(gateway), gateway.metadata.name, namespace));
        }
      }
    }
  },
};
