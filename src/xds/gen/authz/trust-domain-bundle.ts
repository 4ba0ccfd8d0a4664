/**
 * The mesh's trust domain and its aliases (Istio's trustdomain.Bundle). A
 * policy's principal "<td>/ns/<ns>/sa/<sa>" whose trust domain is the
 * mesh's, one of its aliases, or "cluster.local" (which always means "this
 * mesh") is matched under every one of them, so that renaming a trust
 * domain does not break policies written for the old name. Other
 * principals are left as written.
 */

/** "cluster.local" stands for the local trust domain in policies (constants.DefaultClusterLocalDomain). */
const CLUSTER_LOCAL = 'cluster.local';

/** Istio's stringMatch: a pattern with a leading or trailing "*" on either side. */
function wildcardMatch(a: string, patterns: readonly string[]): boolean {
  const prefix = (s: string, p: string): boolean => p.endsWith('*') && s.startsWith(p.slice(0, -1));
  const suffix = (s: string, p: string): boolean => p.startsWith('*') && s.endsWith(p.slice(1));
  return patterns.some((p) => a === p || p === '*' || prefix(a, p) || prefix(p, a) || suffix(a, p) || suffix(p, a));
}

export class TrustDomainBundle {
  /** The mesh's trust domain first, then its aliases. */
  readonly trustDomains: readonly string[];

  constructor(trustDomain: string, aliases: readonly string[] = []) {
    this.trustDomains = [trustDomain, ...aliases];
  }

  /** Istio's ReplaceTrustDomainAliases: each principal under every trust domain it stands for. */
  replaceAliases(principals: readonly string[]): string[] {
    const out: string[] = [];
    for (const principal of principals) {
      const parts = principal.split('/');
      // Not "<td>/ns/<ns>/sa/<sa>", or "*" as the trust domain: the policy does not care about trust domains.
      if (parts.length !== 5 || parts[0] === '*') {
        out.push(principal);
        continue;
      }
      const domain = parts[0] as string;
      if (!wildcardMatch(domain, this.trustDomains) && domain !== CLUSTER_LOCAL) {
        out.push(principal);
        continue;
      }
      const forDomains: string[] = [];
      for (const td of this.trustDomains) {
        // A principal whose trust domain is "*suffix" keeps it for every trust domain it covers.
        const replaced = domain.startsWith('*') && td.endsWith(domain.slice(1)) ? principal : [td, ...parts.slice(1)].join('/');
        if (!forDomains.includes(replaced)) forDomains.push(replaced);
      }
      out.push(...forDomains);
    }
    return out;
  }

  /** Istio's ExpandTrustDomainAliases (source.trustDomain values): a known trust domain stands for all of them. */
  expandAliases(values: readonly string[]): string[] {
    const out: string[] = [];
    for (const value of values) {
      for (const v of this.trustDomains.includes(value) ? this.trustDomains : [value]) if (!out.includes(v)) out.push(v);
    }
    return out;
  }
}
