/**
 * The Host/:authority values a service answers to from one proxy, after
 * Istio's generateVirtualHostDomains: the FQDN, then for Kubernetes services
 * the names the client's DNS search path makes valid ("reviews" only from the
 * same namespace; "reviews.ns" and "reviews.ns.svc" from anywhere), then the
 * VIP; each with and without ":<port>".
 */
import type { MeshService } from '../../../model/types.js';
import { serviceVip } from '../common/mesh-services.js';

function withPort(names: readonly string[], port: number): string[] {
  return names.flatMap((name) => [name, `${name}:${port}`]);
}

/** "reviews.default.svc.cluster.local" seen from "default.svc.cluster.local" → reviews, reviews.default.svc, reviews.default. */
function kubernetesShortNames(hostname: string, proxyDnsDomain: string): string[] {
  const proxySvc = proxyDnsDomain.indexOf('.svc.');
  const hostSvc = hostname.indexOf('.svc.');
  if (proxySvc < 0 || hostSvc <= 0) return [];
  // Only hosts under the same cluster domain expand, or "foo.svc.example.com" would shadow real names.
  if (!hostname.endsWith(proxyDnsDomain.slice(proxySvc))) return [];
  const firstDot = hostname.indexOf('.');
  if (firstDot + 1 >= hostSvc) return [];
  const name = hostname.slice(0, firstDot);
  const nameAndNamespace = hostname.slice(0, hostSvc);
  const sameNamespace = hostname.slice(firstDot + 1, hostSvc) === proxyDnsDomain.slice(0, proxySvc);
  return sameNamespace
    ? [name, `${nameAndNamespace}.svc`, nameAndNamespace]
    : [nameAndNamespace, `${nameAndNamespace}.svc`];
}

export function virtualHostDomains(service: MeshService, port: number, proxyDnsDomain: string): string[] {
  const names = [service.hostname, ...kubernetesShortNames(service.hostname, proxyDnsDomain)];
  const vip = serviceVip(service);
  if (vip) names.push(vip);
  return withPort(names, port);
}

/** The DNS domain of a proxy's namespace, as Istio derives it for pods. */
export function namespaceDnsDomain(namespace: string, domainSuffix: string): string {
  return `${namespace}.svc.${domainSuffix}`;
}
