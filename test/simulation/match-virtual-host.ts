/**
 * Envoy's virtual host selection (route_components.proto VirtualHost.domains):
 * an exact domain first, then the longest suffix wildcard ("*.foo.com",
 * "*-bar.foo.com"), then the longest prefix wildcard ("foo.*"), then "*".
 * The Host header is compared case-insensitively; its port is dropped first
 * when the route configuration ignores ports, or the HCM strips them.
 */
import { stripPort, type NormalizedRequest } from './request.js';
import { SimulationError } from './simulation-error.js';
import { flag, records, strings, text, type Json } from './xds-view.js';

export interface HostStripping {
  readonly stripAnyHostPort: boolean;
  /** The listener port, when the HCM strips a port equal to it. */
  readonly stripMatchingPort: number | undefined;
}

export function hostForMatching(request: NormalizedRequest, routeConfig: Json, stripping: HostStripping): string {
  let host = request.authority.toLowerCase();
  const port = host.slice(stripPort(host).length + 1);
  if (flag(routeConfig['ignorePortInHostMatching']) === true || stripping.stripAnyHostPort) host = stripPort(host);
  else if (stripping.stripMatchingPort !== undefined && port === String(stripping.stripMatchingPort)) host = stripPort(host);
  return host;
}

export function matchVirtualHost(routeConfig: Json, host: string, routeConfigName: string): Json {
  const virtualHosts = records(routeConfig['virtualHosts']);
  const domainsOf = (vh: Json): string[] => strings(vh['domains']).map((d) => d.toLowerCase());
  const exact = virtualHosts.find((vh) => domainsOf(vh).includes(host));
  if (exact) return exact;
  let best: Json | undefined;
  let longest = -1;
  for (const vh of virtualHosts) {
    for (const d of domainsOf(vh)) {
      if (d.length > 1 && d.startsWith('*') && host.length > d.length - 1 && host.endsWith(d.slice(1)) && d.length > longest) {
        best = vh;
        longest = d.length;
      }
    }
  }
  if (best) return best;
  for (const vh of virtualHosts) {
    for (const d of domainsOf(vh)) {
      if (d.length > 1 && d.endsWith('*') && host.length > d.length - 1 && host.startsWith(d.slice(0, -1)) && d.length > longest) {
        best = vh;
        longest = d.length;
      }
    }
  }
  if (best) return best;
  const any = virtualHosts.find((vh) => domainsOf(vh).includes('*'));
  if (any) return any;
  const known = virtualHosts.map((vh) => `${text(vh['name']) ?? '?'} [${strings(vh['domains']).join(' ')}]`).join('; ');
  throw new SimulationError('virtual host', `route config ${routeConfigName}: no virtual host for "${host}" among: ${known || '(none)'}`);
}
