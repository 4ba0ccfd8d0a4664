/**
 * Istio's host resolution for VirtualService and DestinationRule hosts: a
 * short name is a Kubernetes Service in the object's namespace; a name with
 * a dot is taken as written (Istio does not guess "reviews.prod" is a
 * namespace); wildcards and IP addresses stay as written.
 */
export function resolveHostname(host: string, namespace: string, domainSuffix: string): string {
  if (host === '' || host.startsWith('*') || host.includes('.') || host.includes(':')) return host;
  return `${host}.${namespace}.svc.${domainSuffix}`;
}

export function kubernetesServiceHostname(name: string, namespace: string, domainSuffix: string): string {
  return `${name}.${namespace}.svc.${domainSuffix}`;
}
