/**
 * Virtual hosts of a route configuration. Envoy rejects a route
 * configuration in which two virtual hosts share a domain, so a domain
 * already claimed by an earlier virtual host is dropped from later ones (the
 * first service in host-name order keeps it, as Istio's dedupe does).
 */
import type { MeshService } from '../../../model/types.js';
import { buildServiceRoutes } from './build-service-routes.js';
import type { RouteContext } from './route-context.js';

export class DomainClaims {
  private readonly claimed = new Set<string>();

  /** The domains not yet claimed, now claimed. */
  claim(domains: readonly string[]): string[] {
    const out: string[] = [];
    for (const domain of domains) {
      const key = domain.toLowerCase();
      if (this.claimed.has(key)) continue;
      this.claimed.add(key);
      out.push(domain);
    }
    return out;
  }
}

/** Undefined when every domain was already claimed: a virtual host without domains is invalid. */
export function buildServiceVirtualHost(
  service: MeshService,
  domains: readonly string[],
  claims: DomainClaims,
  context: RouteContext,
): Record<string, unknown> | undefined {
  const unclaimed = claims.claim(domains);
  if (unclaimed.length === 0) return undefined;
  return {
    name: `${service.hostname}:${context.listenerPort}`,
    domains: unclaimed,
    routes: buildServiceRoutes(service, context),
  };
}
