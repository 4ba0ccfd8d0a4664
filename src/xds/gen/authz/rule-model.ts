/**
 * One AuthorizationPolicy rule as an Envoy RBAC Policy (Istio's
 * authz/model Model): every `from` becomes one principal and every `to`
 * one permission (a rule matches when any principal and any permission
 * do), each the AND of its fields' matchers, and each `when` condition is
 * ANDed into every principal or every permission, by attribute. Within a
 * field the values are ORed; `not` fields match when none of their values
 * does. Source fields come first in Istio's order (principals, request
 * principals, service accounts, trust domains, namespaces, remote IPs,
 * IPs), then operation fields (hosts, methods, paths, ports), then the
 * conditions in the order written.
 *
 * On a TCP filter chain HTTP-only attributes cannot be checked. For ALLOW
 * that drops the whole rule (it can then never allow anything); for DENY
 * and AUDIT just the attribute (the rule then matches more, so denies
 * more): Istio's rule, which never lets a TCP chain grant more than the
 * policy says.
 */
import * as gen from './attribute-generators.js';
import { ATTR, AttributeError, type AttributeGenerator } from './attribute-generators.js';
import type { EnvoyMessage } from './matchers.js';
import type { AuthzRule } from './policy-spec.js';
import type { TrustDomainBundle } from './trust-domain-bundle.js';

/** Envoy's RBAC action: AUDIT policies are LOG rules. */
export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

interface AttributeRule {
  readonly key: string;
  readonly values: readonly string[];
  readonly notValues: readonly string[];
  readonly generator: AttributeGenerator;
}

export class RuleError extends Error {
  override readonly name = 'RuleError';
}

function list(value: readonly string[] | undefined): readonly string[] {
  return Array.isArray(value) ? value : [];
}

function attribute(key: string, values: readonly string[] | undefined, notValues: readonly string[] | undefined, generator: AttributeGenerator): AttributeRule[] {
  const v = list(values);
  const n = list(notValues);
  return v.length === 0 && n.length === 0 ? [] : [{ key, values: v, notValues: n, generator }];
}

/** The generator for a `when` key (Istio's New); undefined for a key Istio does not know. */
function conditionGenerator(key: string, policyNamespace: string): AttributeGenerator | undefined {
  switch (key) {
    case ATTR.destinationIp:
      return gen.destinationIp;
    case ATTR.destinationPort:
      return gen.destinationPort;
    case ATTR.connectionSni:
      return gen.connectionSni;
    case ATTR.sourceIp:
      return gen.sourceIp;
    case ATTR.remoteIp:
      return gen.remoteIp;
    case ATTR.sourceNamespace:
      return gen.sourceNamespace;
    case ATTR.sourceTrustDomain:
      return gen.sourceTrustDomain;
    case ATTR.sourceServiceAccount:
      return gen.serviceAccount(policyNamespace);
    case ATTR.sourcePrincipal:
      return gen.sourcePrincipal;
    case ATTR.requestPrincipal:
      return gen.requestPrincipal;
    case ATTR.requestAudiences:
      return gen.requestAudiences;
    case ATTR.requestPresenter:
      return gen.requestPresenter;
  }
  if (key.startsWith(ATTR.envoyFilter)) return gen.envoyFilter;
  if (key.startsWith(ATTR.requestHeader)) return gen.requestHeader;
  if (key.startsWith(ATTR.requestClaims)) return gen.requestClaims;
  return undefined;
}

/** A rule's principals and permissions as lists of attribute rules, before they become Envoy matchers. */
export class RuleModel {
  private constructor(
    private readonly principals: readonly (readonly AttributeRule[])[],
    private readonly permissions: readonly (readonly AttributeRule[])[],
  ) {}

  /** Throws a RuleError for a condition key Istio does not know: the rule is skipped whatever the action. */
  static of(rule: AuthzRule, policyNamespace: string, trustDomains: TrustDomainBundle): RuleModel {
    const basePrincipal: AttributeRule[] = [];
    const basePermission: AttributeRule[] = [];
    for (const condition of rule.when ?? []) {
      const generator = conditionGenerator(condition.key, policyNamespace);
      if (!generator) throw new RuleError(`unknown attribute ${condition.key}`);
      (generator.side === 'principal' ? basePrincipal : basePermission).push(...attribute(condition.key, condition.values, condition.notValues, generator));
    }
    const principals = (rule.from ?? []).map(({ source: s }) => [
      ...(s
        ? [
            ...attribute(ATTR.sourcePrincipal, s.principals, s.notPrincipals, gen.sourcePrincipal),
            ...attribute(ATTR.requestPrincipal, s.requestPrincipals, s.notRequestPrincipals, gen.requestPrincipal),
            ...attribute(ATTR.sourceServiceAccount, s.serviceAccounts, s.notServiceAccounts, gen.serviceAccount(policyNamespace)),
            ...attribute(ATTR.sourceTrustDomain, s.trustDomains, s.notTrustDomains, gen.sourceTrustDomain),
            ...attribute(ATTR.sourceNamespace, s.namespaces, s.notNamespaces, gen.sourceNamespace),
            ...attribute(ATTR.remoteIp, s.remoteIpBlocks, s.notRemoteIpBlocks, gen.remoteIp),
            ...attribute(ATTR.sourceIp, s.ipBlocks, s.notIpBlocks, gen.sourceIp),
          ]
        : []),
      ...basePrincipal,
    ]);
    const permissions = (rule.to ?? []).map(({ operation: o }) => [
      ...(o
        ? [
            ...attribute(ATTR.host, o.hosts, o.notHosts, gen.host),
            ...attribute(ATTR.method, o.methods, o.notMethods, gen.method),
            ...attribute(ATTR.path, o.paths, o.notPaths, gen.path),
            ...attribute(ATTR.destinationPort, o.ports, o.notPorts, gen.destinationPort),
          ]
        : []),
      ...basePermission,
    ]);
    return new RuleModel(
      (principals.length > 0 ? principals : [basePrincipal]).map((rules) => rules.map((r) => migrateTrustDomain(r, trustDomains))),
      permissions.length > 0 ? permissions : [basePermission],
    );
  }

  /**
   * The Envoy RBAC Policy. Throws a RuleError when an ALLOW rule uses what
   * `forTCP` cannot check: the caller leaves the rule out.
   */
  generate(forTCP: boolean, action: RbacAction): EnvoyMessage {
    const permissions = this.permissions.map((rules) => ({ andRules: { rules: orAny(rules.flatMap((r) => matchers(r, 'permission', forTCP, action)), { any: true }) } }));
    const principals = this.principals.map((rules) => ({ andIds: { ids: orAny(rules.flatMap((r) => matchers(r, 'principal', forTCP, action)), { any: true }) } }));
    return { permissions, principals };
  }
}

/** An empty AND would be refused by Envoy (min_items 1): it means "anything". */
function orAny(and: EnvoyMessage[], any: EnvoyMessage): EnvoyMessage[] {
  return and.length > 0 ? and : [any];
}

function migrateTrustDomain(rule: AttributeRule, bundle: TrustDomainBundle): AttributeRule {
  if (rule.key === ATTR.sourcePrincipal) return { ...rule, values: bundle.replaceAliases(rule.values), notValues: bundle.replaceAliases(rule.notValues) };
  if (rule.key === ATTR.sourceTrustDomain) return { ...rule, values: bundle.expandAliases(rule.values), notValues: bundle.expandAliases(rule.notValues) };
  return rule;
}

/** Istio's checkError: an ALLOW rule fails as a whole; DENY and AUDIT lose just the matcher. */
function attempt(action: RbacAction, build: () => EnvoyMessage | undefined): EnvoyMessage | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof AttributeError)) throw error;
    if (action === 'ALLOW') throw new RuleError(error.message);
    return undefined;
  }
}

function or(side: gen.Side, items: EnvoyMessage[]): EnvoyMessage {
  return side === 'permission' ? { orRules: { rules: items } } : { orIds: { ids: items } };
}

function not(side: gen.Side, item: EnvoyMessage): EnvoyMessage {
  return side === 'permission' ? { notRule: item } : { notId: item };
}

/** The matchers of one attribute: its values ORed, then its notValues ORed and negated. */
function matchers(rule: AttributeRule, side: gen.Side, forTCP: boolean, action: RbacAction): EnvoyMessage[] {
  const out: EnvoyMessage[] = [];
  const { generator, key } = rule;
  for (const [values, negate] of [
    [rule.values, false],
    [rule.notValues, true],
  ] as const) {
    if (values.length === 0) continue;
    let matched: EnvoyMessage | undefined;
    if (generator.extended) {
      matched = attempt(action, () => generator.generate(key, values, forTCP));
    } else {
      const each = values.flatMap((value): EnvoyMessage[] => {
        const one = attempt(action, () => generator.generate(key, [value], forTCP));
        return one ? [one] : [];
      });
      matched = each.length > 0 ? or(side, each) : undefined;
    }
    if (matched) out.push(negate ? not(side, matched) : matched);
  }
  return out;
}
