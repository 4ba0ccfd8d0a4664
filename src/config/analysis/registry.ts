/** Every analyzer `tsiod analyze` runs, in Istio's order (by package, then name). */
import type { Analyzer } from './context.js';
import { conflictingMeshGatewayHostsAnalyzer } from './analyzers/conflicting-mesh-gateway-hosts.js';
import { destinationRuleCaCertificatesAnalyzer } from './analyzers/destination-rule-ca-certificates.js';
import { destinationRuleSubsetsAnalyzer } from './analyzers/destination-rule-subsets.js';
import { gatewayPortsAnalyzer } from './analyzers/gateway-ports.js';
import { gatewaySecretsAnalyzer } from './analyzers/gateway-secrets.js';
import { injectionAnalyzer } from './analyzers/injection.js';
import { schemaValidationAnalyzer } from './analyzers/schema-validation.js';
import { serviceEntryAddressesAnalyzer } from './analyzers/service-entry-addresses.js';
import { servicePortNamesAnalyzer } from './analyzers/service-port-names.js';
import { sidecarSelectorsAnalyzer } from './analyzers/sidecar-selectors.js';
import { virtualServiceDestinationHostsAnalyzer } from './analyzers/virtual-service-destination-hosts.js';
import { virtualServiceDestinationRulesAnalyzer } from './analyzers/virtual-service-destination-rules.js';
import { virtualServiceGatewaysAnalyzer } from './analyzers/virtual-service-gateways.js';
import { virtualServiceUnreachableRulesAnalyzer } from './analyzers/virtual-service-unreachable-rules.js';

export const ANALYZERS: readonly Analyzer[] = Object.freeze([
  destinationRuleCaCertificatesAnalyzer,
  destinationRuleSubsetsAnalyzer,
  gatewayPortsAnalyzer,
  gatewaySecretsAnalyzer,
  injectionAnalyzer,
  schemaValidationAnalyzer,
  servicePortNamesAnalyzer,
  serviceEntryAddressesAnalyzer,
  sidecarSelectorsAnalyzer,
  conflictingMeshGatewayHostsAnalyzer,
  virtualServiceDestinationHostsAnalyzer,
  virtualServiceDestinationRulesAnalyzer,
  virtualServiceGatewaysAnalyzer,
  virtualServiceUnreachableRulesAnalyzer,
]);

/** The analyzers with these names; unknown names are returned apart. */
export function selectAnalyzers(names: readonly string[]): { readonly analyzers: readonly Analyzer[]; readonly unknown: readonly string[] } {
  const known = new Set(ANALYZERS.map((a) => a.name));
  return { analyzers: ANALYZERS.filter((a) => names.includes(a.name)), unknown: names.filter((name) => !known.has(name)) };
}
