/**
 * The Gateways selecting one gateway proxy, merged into one logical gateway
 * by listening port, following Istio's mergeGateways
 * (pilot/pkg/model/gateway.go): plain-text HTTP servers on a port share one
 * route configuration "http.<port>"; TLS servers on a port each get a filter
 * chain matched by SNI, and HTTPS ones their own route configuration
 * "https.<port>.<portName>.<gateway>.<namespace>"; a server that conflicts
 * with what a port already holds (another protocol, a repeated TLS host, a
 * repeated HTTPS route name) is dropped, as Istio drops it. QUIC is not
 * offered.
 */
import type { GatewayServer, GatewaySpec, IstioConfig, MeshSnapshot } from '../../../model/types.js';
import { resolvedPort, type GatewayKey } from './gateway-key.js';
import { sanitizeServerHosts, sniHostsOf } from './gateway-hosts.js';
import { isHttpProtocol, isHttpServer, isPassthroughServer, isTlsServer, serverProtocol } from './gateway-server.js';

export interface MergedServer {
  /** The server with its hosts sanitised ("./h" → "<ns>/h", "*\/h" → "h"). */
  readonly server: GatewayServer;
  /** "namespace/name" of the Gateway it came from. */
  readonly gateway: string;
  /** "" for servers without a route configuration (TCP, TLS, passthrough). */
  readonly routeName: string;
  /** SNI names of a TLS server's filter chain. */
  readonly sniHosts: readonly string[];
}

export interface MergedPort {
  /** The port the listener binds (after port translation). */
  readonly number: number;
  readonly protocol: string;
  /** "" for the wildcard address. */
  readonly bind: string;
  readonly servers: MergedServer[];
  /** The shared route configuration of plain-text HTTP servers. */
  routeName: string;
}

export interface MergedGateway {
  /** In the order ports were first claimed. */
  readonly ports: readonly MergedPort[];
  readonly serversByRouteName: ReadonlyMap<string, readonly MergedServer[]>;
}

/** The selecting Gateways in snapshot order (oldest first), which decides who wins a conflict. */
export function selectedGateways(snapshot: MeshSnapshot, key: GatewayKey): IstioConfig<GatewaySpec>[] {
  const wanted = new Set(key.gateways);
  return snapshot.gateways.filter((g) => wanted.has(`${g.meta.namespace}/${g.meta.name}`));
}

/** Istio's gatewayRDSRouteName: HTTP by bound port, terminated HTTPS by server port, name and Gateway; nothing else has routes. */
function routeNameOf(server: GatewayServer, boundPort: number, gateway: IstioConfig<GatewaySpec>): string {
  const bind = server.bind ? `.${server.bind}` : '';
  const protocol = serverProtocol(server);
  if (isHttpProtocol(protocol)) return `http.${boundPort}${bind}`;
  if (protocol === 'HTTPS' && !isPassthroughServer(server)) {
    return `https.${server.port.number}.${server.port.name ?? ''}.${gateway.meta.name}.${gateway.meta.namespace}${bind}`;
  }
  return '';
}

/** Istio's canMergeProtocols(incoming, existing): only HTTP joins an HTTP port. */
function canMergeProtocols(incoming: string, existing: string): boolean {
  return (isHttpProtocol(incoming) || incoming === existing) && isHttpProtocol(existing);
}

class GatewayMerger {
  readonly ports: MergedPort[] = [];
  readonly byRoute = new Map<string, MergedServer[]>();
  private readonly claimedPorts = new Set<number>();
  private readonly merged = new Map<string, MergedPort>();
  private readonly plainText = new Map<number, { readonly protocol: string; readonly bind: string }>();
  private readonly nonPlainTextBinds = new Map<number, Set<string>>();
  private readonly tlsHostsByPort = new Map<number, Map<string, string>>();

  add(gateway: IstioConfig<GatewaySpec>, raw: GatewayServer, key: GatewayKey): void {
    if (!raw || !raw.port || typeof raw.port.number !== 'number') return;
    const server: GatewayServer = { ...raw, hosts: sanitizeServerHosts(raw.hosts ?? [], gateway.meta.namespace) };
    const port = resolvedPort(key, server.port.number);
    const routeName = routeNameOf(server, port, gateway);
    const bind = server.bind ?? '';
    if (server.tls && this.hasDuplicateTlsHost(port, server.hosts, bind)) return;
    const merged: MergedServer = {
      server,
      gateway: `${gateway.meta.namespace}/${gateway.meta.name}`,
      routeName,
      sniHosts: server.tls ? sniHostsOf(server.hosts) : [],
    };
    const protocol = serverProtocol(server);
    if (!this.claimedPorts.has(port)) {
      this.claimedPorts.add(port);
      this.addPlainText(merged, port, protocol, bind);
      return;
    }
    const current = this.plainText.get(port);
    if (current) {
      if (current.bind === bind && (!canMergeProtocols(protocol, current.protocol) || routeName === '')) return;
      if (current.bind !== bind) {
        const existing = this.merged.get(portId(port, protocol, bind));
        if (!existing) this.addPlainText(merged, port, protocol, bind);
        else {
          existing.routeName = routeName;
          existing.servers.push(merged);
          this.routeServers(routeName).push(merged);
        }
      } else {
        this.merged.get(portId(port, current.protocol, current.bind))?.servers.push(merged);
        this.routeServers(routeName).push(merged);
      }
      return;
    }
    if (!isTlsServer(server)) {
      this.addPlainText(merged, port, protocol, bind);
      return;
    }
    if (isHttpServer(server)) {
      // Each terminated HTTPS server needs a route configuration of its own.
      if (routeName === '' || this.byRoute.has(routeName)) return;
      this.byRoute.set(routeName, [merged]);
    }
    let binds = this.nonPlainTextBinds.get(port);
    if (!binds) this.nonPlainTextBinds.set(port, (binds = new Set()));
    const newBind = !binds.has(bind);
    binds.add(bind);
    if (!server.tls && !newBind) return;
    const existing = this.merged.get(portId(port, protocol, bind));
    if (existing) existing.servers.push(merged);
    else this.newPort(merged, port, protocol, bind);
  }

  /** Istio's CheckDuplicates: a TLS host may appear once per port and bind; a server repeating one is dropped whole. */
  private hasDuplicateTlsHost(port: number, hosts: readonly string[], bind: string): boolean {
    let known = this.tlsHostsByPort.get(port);
    if (!known) this.tlsHostsByPort.set(port, (known = new Map()));
    if (hosts.some((h) => known.get(h) === bind)) return true;
    for (const h of hosts) known.set(h, bind);
    return false;
  }

  private addPlainText(server: MergedServer, port: number, protocol: string, bind: string): void {
    if (!isTlsServer(server.server)) this.plainText.set(port, { protocol, bind });
    if (isHttpServer(server.server)) this.byRoute.set(server.routeName, [server]);
    this.newPort(server, port, protocol, bind);
  }

  private newPort(server: MergedServer, port: number, protocol: string, bind: string): void {
    const id = portId(port, protocol, bind);
    const existing = this.merged.get(id);
    const created: MergedPort = { number: port, protocol, bind, servers: [server], routeName: server.routeName };
    this.merged.set(id, created);
    if (existing) this.ports[this.ports.indexOf(existing)] = created;
    else this.ports.push(created);
  }

  private routeServers(routeName: string): MergedServer[] {
    let list = this.byRoute.get(routeName);
    if (!list) this.byRoute.set(routeName, (list = []));
    return list;
  }
}

function portId(port: number, protocol: string, bind: string): string {
  return `${port}|${protocol}|${bind}`;
}

export function mergeGateways(snapshot: MeshSnapshot, key: GatewayKey): MergedGateway {
  const merger = new GatewayMerger();
  for (const gateway of selectedGateways(snapshot, key)) {
    for (const server of gateway.spec.servers ?? []) merger.add(gateway, server, key);
  }
  return { ports: merger.ports, serversByRouteName: merger.byRoute };
}
