/**
 * Istio host matching for config hosts against service hosts: exact, or a
 * leading "*." / "*" wildcard that matches any suffix.
 */
export function configHostMatches(configHost: string, serviceHost: string): boolean {
  if (configHost === serviceHost || configHost === '*') return true;
  if (configHost.startsWith('*')) return serviceHost.endsWith(configHost.slice(1));
  return false;
}
