/**
 * Whether a proxy's clusters may name credentialName Secrets, as a key
 * attribute. Istio lets gateways originate TLS with them and drops the TLS
 * context on sidecars. It only changes output when some DestinationRule
 * names a credential, so until then sidecars and gateways share a key.
 */
import type { ProxyNode } from '../../../../model/proxy.js';
import type { DestinationRuleSpec, IstioConfig, MeshSnapshot } from '../../../../model/types.js';
import { policiesOfRule } from '../../common/cluster-traffic-policy.js';

const namesCredentials = new WeakMap<readonly IstioConfig<DestinationRuleSpec>[], boolean>();

function anyRuleNamesCredential(rules: readonly IstioConfig<DestinationRuleSpec>[]): boolean {
  let found = namesCredentials.get(rules);
  if (found === undefined) {
    found = rules.some((rule) => policiesOfRule(rule.spec).some((policy) => Boolean(policy.tls?.credentialName)));
    namesCredentials.set(rules, found);
  }
  return found;
}

export function mayReadCredentials(proxy: ProxyNode, snapshot: MeshSnapshot): boolean {
  return proxy.type === 'router' && anyRuleNamesCredential(snapshot.destinationRules);
}
