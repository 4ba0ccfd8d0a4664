/**
 * The AuthorizationPolicy and RequestAuthentication fields the security
 * filters read, typed. The model keeps specs as validated JSON; these
 * readers only narrow what validation already checked, and treat anything
 * else as absent rather than trusting a cast.
 */
import type { IstioConfig, WorkloadPolicySpec } from '../../../model/types.js';

export type AuthzAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

export interface AuthzSource {
  readonly principals?: readonly string[];
  readonly notPrincipals?: readonly string[];
  readonly requestPrincipals?: readonly string[];
  readonly notRequestPrincipals?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly notNamespaces?: readonly string[];
  readonly serviceAccounts?: readonly string[];
  readonly notServiceAccounts?: readonly string[];
  readonly trustDomains?: readonly string[];
  readonly notTrustDomains?: readonly string[];
  readonly ipBlocks?: readonly string[];
  readonly notIpBlocks?: readonly string[];
  readonly remoteIpBlocks?: readonly string[];
  readonly notRemoteIpBlocks?: readonly string[];
}

export interface AuthzOperation {
  readonly hosts?: readonly string[];
  readonly notHosts?: readonly string[];
  readonly ports?: readonly string[];
  readonly notPorts?: readonly string[];
  readonly methods?: readonly string[];
  readonly notMethods?: readonly string[];
  readonly paths?: readonly string[];
  readonly notPaths?: readonly string[];
}

export interface AuthzCondition {
  readonly key: string;
  readonly values?: readonly string[];
  readonly notValues?: readonly string[];
}

export interface AuthzRule {
  readonly from?: readonly { readonly source?: AuthzSource }[];
  readonly to?: readonly { readonly operation?: AuthzOperation }[];
  readonly when?: readonly AuthzCondition[];
}

export interface AuthorizationPolicy {
  readonly name: string;
  readonly namespace: string;
  readonly action: AuthzAction;
  /** null entries are rules Istio skips (validation refuses them). */
  readonly rules: readonly (AuthzRule | null)[];
  /** The extension provider of a CUSTOM policy. */
  readonly provider: string;
  /** istio.io/dry-run: evaluated and logged as shadow rules, never enforced. */
  readonly dryRun: boolean;
}

export interface JwtHeaderLocation {
  readonly name: string;
  readonly prefix?: string;
}

export interface JwtRule {
  readonly issuer?: string;
  readonly audiences?: readonly string[];
  readonly jwksUri?: string;
  readonly jwks?: string;
  readonly fromHeaders?: readonly JwtHeaderLocation[];
  readonly fromParams?: readonly string[];
  readonly fromCookies?: readonly string[];
  readonly outputPayloadToHeader?: string;
  readonly forwardOriginalToken?: boolean;
  readonly outputClaimToHeaders?: readonly { readonly header: string; readonly claim: string }[];
  readonly spaceDelimitedClaims?: readonly string[];
  readonly timeout?: string;
}

const ACTIONS: readonly AuthzAction[] = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's strconv.ParseBool, which Istio's isDryRun uses; anything else is "not dry run". */
function parseGoBool(text: string | undefined): boolean {
  return text !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text);
}

export function readAuthorizationPolicy(config: IstioConfig<WorkloadPolicySpec>): AuthorizationPolicy {
  const spec = config.spec;
  const action = ACTIONS.find((a) => a === spec['action']) ?? 'ALLOW';
  const rules = Array.isArray(spec['rules']) ? (spec['rules'] as unknown[]).map((r) => (isRecord(r) ? (r as AuthzRule) : null)) : [];
  const provider = isRecord(spec['provider']) && typeof spec['provider']['name'] === 'string' ? spec['provider']['name'] : '';
  return {
    name: config.meta.name,
    namespace: config.meta.namespace,
    action,
    rules,
    provider,
    dryRun: parseGoBool(config.meta.annotations?.['istio.io/dry-run']),
  };
}

/** The JWT rules of a RequestAuthentication; jwks_uri is the proto's other JSON spelling. */
export function readJwtRules(config: IstioConfig<WorkloadPolicySpec>): JwtRule[] {
  const rules = config.spec['jwtRules'];
  if (!Array.isArray(rules)) return [];
  return rules.filter(isRecord).map((rule) => {
    const uri = rule['jwksUri'] ?? rule['jwks_uri'];
    return typeof uri === 'string' ? ({ ...rule, jwksUri: uri } as JwtRule) : (rule as JwtRule);
  });
}
