/**
 * Gateway server hosts against VirtualService hosts, as Istio compares them
 * (pkg/config/host Name.Matches / SubsetOf / Names.Intersection,
 * NamesForNamespace, and model.sanitizeServerHostNamespace). A server host
 * is "host" or "namespace/host"; the namespace part limits which
 * namespaces' VirtualServices may bind to it.
 */

function isWildcard(host: string): boolean {
  return host.startsWith('*');
}

/** Both names match the same request host (either may be a wildcard). */
export function hostsMatch(a: string, b: string): boolean {
  if (isWildcard(a)) {
    if (isWildcard(b)) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
    return b.endsWith(a.slice(1));
  }
  if (isWildcard(b)) return a.endsWith(b.slice(1));
  return a === b;
}

/** Every host `a` matches is also matched by `b`. */
export function hostSubsetOf(a: string, b: string): boolean {
  if (isWildcard(a)) {
    if (!isWildcard(b)) return false;
    return a.length >= b.length && a.slice(1).endsWith(b.slice(1));
  }
  if (isWildcard(b)) return a.endsWith(b.slice(1));
  return a === b;
}

/** For each overlapping pair, the narrower of the two, in server-host order, without repeats. */
export function intersectHosts(serverHosts: readonly string[], vsHosts: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of serverHosts) {
    for (const v of vsHosts) {
      const narrower = hostSubsetOf(s, v) ? s : hostSubsetOf(v, s) ? v : undefined;
      if (narrower !== undefined && !out.includes(narrower)) out.push(narrower);
    }
  }
  return out;
}

/** The server hosts a VirtualService in `namespace` may bind to, without their namespace part. */
export function serverHostsForNamespace(hosts: readonly string[], namespace: string): string[] {
  const out: string[] = [];
  for (const host of hosts) {
    const slash = host.indexOf('/');
    if (slash < 0) {
      out.push(host);
      continue;
    }
    const hostNamespace = host.slice(0, slash);
    if (hostNamespace === namespace || hostNamespace === '*') out.push(host.slice(slash + 1));
  }
  return out;
}

/** "./host" → "<gateway namespace>/host", "*\/host" → "host", and "*\/*" alone stands for every host. */
export function sanitizeServerHosts(hosts: readonly string[], gatewayNamespace: string): string[] {
  const out: string[] = [];
  for (const host of hosts) {
    const slash = host.indexOf('/');
    if (slash < 0) {
      out.push(host);
      continue;
    }
    const namespace = host.slice(0, slash);
    const name = host.slice(slash + 1);
    if (namespace === '.') out.push(`${gatewayNamespace}/${name}`);
    else if (namespace === '*') {
      if (name === '*') return ['*'];
      out.push(name);
    } else out.push(host);
  }
  return out;
}

/** SNI names for a TLS server's filter chain: hosts without namespace parts, sorted, no repeats (Istio's GetSNIHostsForServer). */
export function sniHostsOf(hosts: readonly string[]): string[] {
  return [...new Set(hosts.map((h) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h)))].sort();
}

/** VirtualService hosts that some server host (namespace-checked) matches: Istio's pickMatchingGatewayHosts, as a yes/no. */
export function anyGatewayHostMatches(serverHosts: readonly string[], vsHosts: readonly string[], vsNamespace: string): boolean {
  const usable = serverHostsForNamespace(serverHosts, vsNamespace);
  return vsHosts.some((v) => usable.some((s) => hostsMatch(s, v)));
}
