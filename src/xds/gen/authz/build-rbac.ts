/**
 * AuthorizationPolicies into Envoy RBAC and ext_authz filters (Istio's
 * authz/builder), for an HTTP connection manager or a TCP filter chain.
 *
 * Local policies make one RBAC filter per action, AUDIT (Envoy's LOG,
 * which only marks requests for the access log), then DENY, then ALLOW:
 * Envoy runs the filters in order, so a request must pass every DENY
 * before an ALLOW can let it through. Without ALLOW policies there is no
 * ALLOW filter and everything not denied passes; with one, everything its
 * rules do not match is denied. A policy without rules is a policy that
 * never matches (so an ALLOW `spec: {}` allows nothing). Policies
 * annotated istio.io/dry-run go into the filter's shadow rules, which
 * Envoy evaluates and counts but does not enforce.
 *
 * CUSTOM policies make an RBAC filter whose shadow rules record which
 * policy matched, and an ext_authz filter enabled only when one did, so
 * the external authorizer is asked about exactly the requests the
 * policies select. A provider that cannot be resolved turns its policies
 * into DENY rules; so does naming more than one provider for a workload
 * (Istio's default, without PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS).
 *
 * Each RBAC policy is named "ns[<namespace>]-policy[<name>]-rule[<i>]",
 * prefixed "istio-ext-authz-<provider>-" for CUSTOM: ext_authz matches on
 * that prefix, and the names show in Envoy's stats and logs.
 */
import type { ResolvedExtAuthz } from './ext-authz.js';
import {
  DRY_RUN_ALLOW_STAT_PREFIX,
  DRY_RUN_DENY_STAT_PREFIX,
  EXT_AUTHZ_SHADOW_STAT_PREFIX,
  HTTP_EXT_AUTHZ_FILTER,
  HTTP_RBAC_FILTER,
  HTTP_RBAC_TYPE,
  NETWORK_EXT_AUTHZ_FILTER,
  NETWORK_RBAC_FILTER,
  NETWORK_RBAC_TYPE,
  RBAC_TCP_STAT_PREFIX,
  SHADOW_EFFECTIVE_POLICY_ID,
} from './filter-names.js';
import type { EnvoyMessage } from './matchers.js';
import type { AuthorizationPolicy } from './policy-spec.js';
import { RuleError, RuleModel, type RbacAction } from './rule-model.js';
import type { TrustDomainBundle } from './trust-domain-bundle.js';

const EXT_AUTHZ_MATCH_PREFIX = 'istio-ext-authz';
const BAD_CUSTOM_ACTION_SUFFIX = '-deny-due-to-bad-CUSTOM-action';

/** Istio's rbacPolicyMatchNever: no permission and no principal can match. */
function matchNever(): EnvoyMessage {
  return { permissions: [{ notRule: { any: true } }], principals: [{ notId: { any: true } }] };
}

export type ChainKind = 'http' | 'tcp';

export interface AuthzContext {
  readonly trustDomains: TrustDomainBundle;
  /** Resolved ext_authz providers by name (needed for CUSTOM only). */
  readonly extAuthz: ReadonlyMap<string, ResolvedExtAuthz>;
}

export function rbacPolicyName(namespace: string, name: string, rule: number, provider?: string): string {
  const prefix = provider === undefined ? '' : `${EXT_AUTHZ_MATCH_PREFIX}-${provider}-`;
  return `${prefix}ns[${namespace}]-policy[${name}]-rule[${rule}]`;
}

/** An RBAC config: the action (ALLOW is the proto default, so it is left out) and its policies by name. */
interface RbacRules {
  readonly action: RbacAction;
  readonly policies: Record<string, EnvoyMessage>;
}

function rbacMessage(rules: RbacRules): EnvoyMessage {
  const out: EnvoyMessage = rules.action === 'ALLOW' ? {} : { action: rules.action };
  // An empty map is no map on the wire: an ALLOW with no policies allows nothing.
  if (Object.keys(rules.policies).length > 0) out['policies'] = rules.policies;
  return out;
}

/** Adds the RBAC policies of one AuthorizationPolicy's rules to `into`; rules Istio skips are left out. */
function addPolicies(into: RbacRules, policy: AuthorizationPolicy, chain: ChainKind, context: AuthzContext, provider?: string): void {
  policy.rules.forEach((rule, i) => {
    if (rule === null) return;
    try {
      const model = RuleModel.of(rule, policy.namespace, context.trustDomains);
      into.policies[rbacPolicyName(policy.namespace, policy.name, i, provider)] = model.generate(chain === 'tcp', into.action);
    } catch (error) {
      // An unknown attribute, or an ALLOW rule a TCP chain cannot check: the rule is skipped, as Istio skips it.
      if (!(error instanceof RuleError)) throw error;
    }
  });
  if (policy.rules.length === 0) into.policies[rbacPolicyName(policy.namespace, policy.name, 0, provider)] = matchNever();
}

/** Istio's shadowRuleStatPrefix, which reads the action of absent shadow rules as ALLOW. */
function shadowStatPrefix(shadow: RbacRules | undefined): string | undefined {
  const action = shadow?.action ?? 'ALLOW';
  return action === 'ALLOW' ? DRY_RUN_ALLOW_STAT_PREFIX : action === 'DENY' ? DRY_RUN_DENY_STAT_PREFIX : undefined;
}

function rbacFilter(chain: ChainKind, config: EnvoyMessage): EnvoyMessage {
  return chain === 'http'
    ? { name: HTTP_RBAC_FILTER, typedConfig: { '@type': HTTP_RBAC_TYPE, ...config } }
    : { name: NETWORK_RBAC_FILTER, typedConfig: { '@type': NETWORK_RBAC_TYPE, ...config, statPrefix: RBAC_TCP_STAT_PREFIX } };
}

/** The RBAC filter for the policies of one local action, or undefined when there are none. */
function localFilter(policies: readonly AuthorizationPolicy[], action: RbacAction, chain: ChainKind, context: AuthzContext): EnvoyMessage | undefined {
  if (policies.length === 0) return undefined;
  const enforced: RbacRules = { action, policies: {} };
  const shadow: RbacRules = { action, policies: {} };
  for (const policy of policies) addPolicies(policy.dryRun ? shadow : enforced, policy, chain, context);
  const hasEnforced = policies.some((p) => !p.dryRun);
  const hasShadow = policies.some((p) => p.dryRun);
  const config: EnvoyMessage = {};
  if (hasEnforced) config['rules'] = rbacMessage(enforced);
  if (hasShadow) config['shadowRules'] = rbacMessage(shadow);
  const prefix = shadowStatPrefix(hasShadow ? shadow : undefined);
  if (prefix) config['shadowRulesStatPrefix'] = prefix;
  return rbacFilter(chain, config);
}

/** AUDIT, DENY and ALLOW policies (CUSTOM ones are left to customFilters), in Envoy's filter order. */
export function localFilters(policies: readonly AuthorizationPolicy[], chain: ChainKind, context: AuthzContext): EnvoyMessage[] {
  const of = (action: AuthorizationPolicy['action']): AuthorizationPolicy[] => policies.filter((p) => p.action === action);
  return [localFilter(of('AUDIT'), 'LOG', chain, context), localFilter(of('DENY'), 'DENY', chain, context), localFilter(of('ALLOW'), 'ALLOW', chain, context)].flatMap(
    (f) => (f ? [f] : []),
  );
}

/** Istio's getBadCustomDenyRules: what a broken CUSTOM policy would have sent to the authorizer is denied instead. */
function badCustomFilter(rules: RbacRules, chain: ChainKind): EnvoyMessage {
  const policies = Object.fromEntries(Object.entries(rules.policies).map(([name, policy]) => [name + BAD_CUSTOM_ACTION_SUFFIX, policy]));
  return rbacFilter(chain, { rules: { action: 'DENY', policies } });
}

/** ext_authz runs only for requests whose shadow match named one of this provider's policies. */
function enabledFor(rbacFilterName: string, provider: string): EnvoyMessage {
  return {
    filter: rbacFilterName,
    path: [{ key: EXT_AUTHZ_SHADOW_STAT_PREFIX + SHADOW_EFFECTIVE_POLICY_ID }],
    value: { stringMatch: { prefix: `${EXT_AUTHZ_MATCH_PREFIX}-${provider}` } },
  };
}

/** The CUSTOM policies' filters: per provider, an RBAC filter that only records matches and the ext_authz filter that acts on them. */
export function customFilters(policies: readonly AuthorizationPolicy[], chain: ChainKind, context: AuthzContext): EnvoyMessage[] {
  const custom = policies.filter((p) => p.action === 'CUSTOM');
  if (custom.length === 0) return [];
  const byProvider = new Map<string, { enforced: RbacRules; dryRun: RbacRules }>();
  for (const policy of custom) {
    let sets = byProvider.get(policy.provider);
    if (!sets) {
      sets = { enforced: { action: 'DENY', policies: {} }, dryRun: { action: 'DENY', policies: {} } };
      byProvider.set(policy.provider, sets);
    }
    addPolicies(policy.dryRun ? sets.dryRun : sets.enforced, policy, chain, context, policy.provider);
  }
  const providers = [...byProvider.keys()].sort();
  if (providers.length > 1) return providers.map((p) => badCustomFilter((byProvider.get(p) as { enforced: RbacRules }).enforced, chain));
  const provider = providers[0] as string;
  const { enforced, dryRun } = byProvider.get(provider) as { enforced: RbacRules; dryRun: RbacRules };
  const resolved = context.extAuthz.get(provider);
  if (!resolved || resolved.errors) return [badCustomFilter(enforced, chain)];
  const extAuthz = chain === 'http' ? resolved.http : resolved.tcp;
  // An HTTP authorizer cannot judge a TCP connection: Istio leaves such chains without the CUSTOM filters.
  if (!extAuthz) return [];
  const config: EnvoyMessage = { shadowRules: rbacMessage(enforced), shadowRulesStatPrefix: EXT_AUTHZ_SHADOW_STAT_PREFIX };
  if (Object.keys(dryRun.policies).length > 0) config['rules'] = rbacMessage(dryRun);
  const rbacName = chain === 'http' ? HTTP_RBAC_FILTER : NETWORK_RBAC_FILTER;
  return [
    rbacFilter(chain, config),
    { name: chain === 'http' ? HTTP_EXT_AUTHZ_FILTER : NETWORK_EXT_AUTHZ_FILTER, typedConfig: { ...extAuthz, filterEnabledMetadata: enabledFor(rbacName, provider) } },
  ];
}
