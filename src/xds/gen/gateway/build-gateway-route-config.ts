/**
 * One route configuration of a gateway proxy, as Istio's
 * buildGatewayHTTPRouteConfig builds it: for each server behind the route
 * name, the VirtualServices bound to its Gateway whose hosts intersect the
 * server's hosts; a virtual host "<host>:<server port>" per intersecting
 * host, carrying that VirtualService's routes (several VirtualServices for
 * one host append theirs); hosts with identical routes share a virtual
 * host; httpsRedirect servers require TLS; with nothing bound, a
 * "blackhole:<port>" virtual host without routes, so Envoy answers 404.
 */
import type { IstioConfig, MeshSnapshot, VirtualServiceSpec } from '../../../model/types.js';
import type { RouteContext } from '../rds/route-context.js';
import { isCatchAllMatch } from '../rds/translate-route-match.js';
import { translateHttpRoutes } from '../rds/translate-http-route.js';
import type { GatewayKey } from './gateway-key.js';
import { intersectHosts, serverHostsForNamespace } from './gateway-hosts.js';
import { serverTls } from './gateway-server.js';
import type { MergedGateway, MergedServer } from './merge-gateways.js';

type Route = Record<string, unknown>;

interface VirtualHostDraft {
  readonly host: string;
  readonly port: number;
  routes: Route[];
  requireTls: boolean;
}

/** Istio's DefaultMaxDirectResponseBodySizeBytes (1 MiB). */
const MAX_DIRECT_RESPONSE_BODY_BYTES = 1024 * 1024;

/** Routes per (Gateway, VirtualService), translated once: hosts sharing them share the same route objects. */
class RouteMemo {
  private readonly byKey = new Map<string, Route[]>();

  constructor(
    private readonly snapshot: MeshSnapshot,
    private readonly proxyNamespace: string,
  ) {}

  routes(gateway: string, port: number, vs: IstioConfig<VirtualServiceSpec>): Route[] {
    const id = `${gateway}|${port}|${vs.meta.namespace}/${vs.meta.name}`;
    let found = this.byKey.get(id);
    if (!found) {
      const context: RouteContext = { snapshot: this.snapshot, listenerPort: port, client: 'envoy', proxyNamespace: this.proxyNamespace, gateway };
      found = translateHttpRoutes(vs, context);
      this.byKey.set(id, found);
    }
    return found;
  }
}

function addServer(drafts: Map<string, VirtualHostDraft>, merged: MergedServer, memo: RouteMemo, snapshot: MeshSnapshot, key: GatewayKey): void {
  const server = merged.server;
  const port = server.port.number;
  const redirect = serverTls(server)?.httpsRedirect === true;
  for (const vs of snapshot.indexes.virtualServicesForGateway(key.namespace, merged.gateway)) {
    const hosts = intersectHosts(serverHostsForNamespace(server.hosts, vs.meta.namespace), vs.spec.hosts);
    if (hosts.length === 0) continue;
    const routes = memo.routes(merged.gateway, port, vs);
    for (const raw of hosts) {
      const host = raw.toLowerCase();
      const draft = drafts.get(host);
      if (draft) {
        draft.routes = [...draft.routes, ...routes];
        if (redirect) draft.requireTls = true;
      } else {
        drafts.set(host, { host, port, routes: [...routes], requireTls: redirect });
      }
    }
  }
  if (!redirect) return;
  // A redirecting server answers for its hosts even where no VirtualService binds.
  for (const raw of server.hosts) {
    const host = (raw.includes('/') ? raw.slice(raw.indexOf('/') + 1) : raw).toLowerCase();
    const draft = drafts.get(host);
    if (draft) draft.requireTls = true;
    else drafts.set(host, { host, port, routes: [], requireTls: true });
  }
}

function sameRoutes(a: readonly Route[], b: readonly Route[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/** Istio's SortVHostRoutes: catch-all routes move to the end, others keep their order. */
function catchAllLast(routes: readonly Route[]): Route[] {
  const isCatchAll = (r: Route): boolean => isCatchAllMatch((r['match'] ?? {}) as Record<string, unknown>);
  return [...routes.filter((r) => !isCatchAll(r)), ...routes.filter(isCatchAll)];
}

/** Istio's collapseDuplicateRoutes then SortVirtualHosts: the alphabetically first host names the shared virtual host. */
function virtualHostsOf(drafts: ReadonlyMap<string, VirtualHostDraft>): Record<string, unknown>[] {
  const primaries: { draft: VirtualHostDraft; domains: string[] }[] = [];
  for (const host of [...drafts.keys()].sort()) {
    const draft = drafts.get(host) as VirtualHostDraft;
    const twin = primaries.find((p) => p.draft.requireTls === draft.requireTls && sameRoutes(p.draft.routes, draft.routes));
    if (twin) twin.domains.push(host);
    else primaries.push({ draft, domains: [host] });
  }
  return primaries
    .map(({ draft, domains }) => {
      const vhost: Record<string, unknown> = { name: `${draft.host}:${draft.port}`, domains };
      // No routes (a redirect-only host) is left out rather than empty: protobuf cannot tell the two apart.
      if (draft.routes.length > 0) vhost['routes'] = catchAllLast(draft.routes);
      if (draft.requireTls) vhost['requireTls'] = 'ALL';
      return vhost;
    })
    .sort((a, b) => ((a['name'] as string) < (b['name'] as string) ? -1 : (a['name'] as string) > (b['name'] as string) ? 1 : 0));
}

export function buildGatewayRouteConfig(snapshot: MeshSnapshot, key: GatewayKey, merged: MergedGateway, routeName: string): Record<string, unknown> {
  const servers = merged.serversByRouteName.get(routeName);
  // A listener being drained may still ask for a route name no Gateway has any more.
  if (!servers || servers.length === 0) return { name: routeName, virtualHosts: [], validateClusters: { value: false } };
  const drafts = new Map<string, VirtualHostDraft>();
  const memo = new RouteMemo(snapshot, key.namespace);
  for (const server of servers) addServer(drafts, server, memo, snapshot, key);
  const virtualHosts =
    drafts.size > 0
      ? virtualHostsOf(drafts)
      : // Without routes Envoy answers every request 404 (NR), as Istio's blackhole virtual host intends.
        [{ name: `blackhole:${(servers[0] as MergedServer).server.port.number}`, domains: ['*'] }];
  return {
    name: routeName,
    virtualHosts,
    validateClusters: { value: false },
    ignorePortInHostMatching: true,
    maxDirectResponseBodySizeBytes: { value: MAX_DIRECT_RESPONSE_BODY_BYTES },
  };
}
