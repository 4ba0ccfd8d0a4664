/**
 * Whether two hosts can name the same thing: equal, or a wildcard ("*.foo.com",
 * "*") covering the other, or two wildcards one of which covers the other
 * (Istio's host.Name.Matches).
 */
export function hostsOverlap(a: string, b: string): boolean {
  const aWildcard = a.startsWith('*');
  const bWildcard = b.startsWith('*');
  if (aWildcard && bWildcard) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aWildcard) return b.endsWith(a.slice(1));
  if (bWildcard) return a.endsWith(b.slice(1));
  return a === b;
}

