/**
 * The sidecar's per-destination outbound listeners. Captured ones do not
 * bind (bindToPort false): virtualOutbound receives the connection and
 * hands it over by original destination. HTTP-family ports share one listener per
 * address and port, routed by RDS config "<port>"; other TCP ports get
 * "<address>_<port>" with the chains their VirtualService L4 routes ask
 * for (Istio's buildListenerFromEntry).
 */
import { HTTP_CONNECTION_MANAGER_FILTER, TLS_INSPECTOR_FILTER, TLS_INSPECTOR_TYPE } from '../common/type-names.js';
import { socketAddress } from '../common/socket-address.js';
import { rdsHttpConnectionManager } from './http-connection-manager.js';
import { inspectorFilters, PLAINTEXT_HTTP_ALPNS } from './listener-filters.js';
import { l4ChainOpts, type L4ChainContext, type L4ChainOpts } from './sidecar-l4-chains.js';
import { WILDCARD_ADDRESS, type HttpListenerPlan, type ListenerBinding, type TcpListenerPlan } from './sidecar-outbound-plan.js';
import { tcpProxyFilter } from './tcp-proxy-filter.js';

const PASSTHROUGH_FILTER_CHAIN = 'PassthroughFilterChain';

/** What the HTTP inspector reports for cleartext HTTP/1.1 and prior-knowledge HTTP/2. */
const HTTP_ONLY: Readonly<Record<string, unknown>> = { applicationProtocols: [...PLAINTEXT_HTTP_ALPNS], transportProtocol: 'raw_buffer' };

/** A captured listener must not bind: virtualOutbound hands it connections. Binding is Envoy's default. */
function notBound(binding: ListenerBinding): Record<string, unknown> {
  return binding.bindToPort ? {} : { bindToPort: { value: false } };
}

/** A catch-all chain (Istio's PassthroughFilterChain) for whatever no other chain of the listener matches. */
function passthroughFilterChain(cluster: string): Record<string, unknown> {
  return { filterChainMatch: {}, name: PASSTHROUGH_FILTER_CHAIN, filters: [tcpProxyFilter(cluster)] };
}

/**
 * On 0.0.0.0 the HTTP chain takes only what the HTTP inspector recognises
 * as cleartext HTTP; anything else on that port (TCP to an address no
 * service has) falls through to the outbound catch-all, as in Istio's
 * buildSidecarOutboundListener. A listener on its own address serves only
 * its services and has the HTTP chain alone.
 */
export function buildHttpListener(plan: HttpListenerPlan, fallthroughCluster: string): Record<string, unknown> {
  const name = `${plan.address}_${plan.port}`;
  const hcm = rdsHttpConnectionManager(String(plan.port), `outbound_${name}`, 'envoy');
  const chain: Record<string, unknown> = { filters: [{ name: HTTP_CONNECTION_MANAGER_FILTER, typedConfig: hcm }] };
  const listener: Record<string, unknown> = {
    name,
    address: socketAddress(plan.address, plan.port),
    ...notBound(plan),
    trafficDirection: 'OUTBOUND',
  };
  if (plan.address !== WILDCARD_ADDRESS) return { ...listener, filterChains: [chain] };
  return {
    ...listener,
    continueOnListenerFiltersTimeout: true,
    listenerFilters: inspectorFilters([{ filterChainMatch: HTTP_ONLY }]),
    // MeshConfig.protocolDetectionTimeout's default: 0s, the HTTP inspector may wait as long as it needs.
    listenerFiltersTimeout: { seconds: 0 },
    filterChains: [{ filterChainMatch: HTTP_ONLY, ...chain }],
    defaultFilterChain: passthroughFilterChain(fallthroughCluster),
  };
}

/** "10.0.0.0/8" or a bare IP (a /32 or /128) as an Envoy CidrRange; undefined for what is neither. */
function cidrRange(text: string): Record<string, unknown> | undefined {
  const [address = '', prefix] = text.split('/');
  const ipv6 = address.includes(':');
  if (!ipv6 && !/^[0-9]+(\.[0-9]+){3}$/.test(address)) return undefined;
  const length = prefix === undefined ? (ipv6 ? 128 : 32) : Number(prefix);
  if (!Number.isInteger(length) || length < 0 || length > (ipv6 ? 128 : 32)) return undefined;
  return { addressPrefix: address, prefixLen: { value: length } };
}

/** What Envoy matches a chain on; two chains with the same would make Envoy reject the listener (Istio's conflictsWith). */
function runtimeMatch(opts: L4ChainOpts): string {
  const sni = opts.sniHosts.filter((h) => h !== '*').sort();
  return `${sni.join(',')}|${[...opts.destinationCidrs].sort().join(',')}`;
}

/** Every member's chains, in order; a chain matching what an earlier one matches is dropped. */
function mergedChainOpts(plan: TcpListenerPlan, context: L4ChainContext): L4ChainOpts[] {
  const seen = new Set<string>();
  const out: L4ChainOpts[] = [];
  for (const member of plan.members) {
    for (const opts of l4ChainOpts(context, member.service, member.listenPort, plan.address === WILDCARD_ADDRESS)) {
      const key = runtimeMatch(opts);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(opts);
    }
  }
  return out;
}

function isMatchAll(opts: L4ChainOpts): boolean {
  return (opts.sniHosts.length === 0 || opts.sniHosts.includes('*')) && opts.destinationCidrs.length === 0;
}

/** Istio's toFilterChainMatch: sorted server names (none for "*") and prefix ranges (the unspecified address matches anything). */
function filterChainMatch(opts: L4ChainOpts): Record<string, unknown> {
  const match: Record<string, unknown> = {};
  if (opts.sniHosts.length > 0 && !opts.sniHosts.includes('*')) match['serverNames'] = [...opts.sniHosts].sort();
  const ranges = [...opts.destinationCidrs]
    .sort()
    .flatMap((c): Record<string, unknown>[] => {
      const range = cidrRange(c);
      return range ? [range] : [];
    })
    .filter((r) => r['addressPrefix'] !== '0.0.0.0');
  if (ranges.length > 0) match['prefixRanges'] = ranges;
  return match;
}

/**
 * A chain that matches everything becomes the default chain when others
 * select by SNI or address, so a connection that starts down one of them
 * but then fails its match still has somewhere to go; with no such chain,
 * the default is the catch-all towards `fallthroughCluster`.
 */
export function buildTcpListener(plan: TcpListenerPlan, context: L4ChainContext, fallthroughCluster: string): Record<string, unknown> {
  const port = plan.port;
  const options = mergedChainOpts(plan, context);
  const filterChains: Record<string, unknown>[] = [];
  let defaultChain: Record<string, unknown> | undefined;
  for (const opts of options) {
    if (isMatchAll(opts)) defaultChain ??= { filters: [opts.filter] };
    else filterChains.push({ filterChainMatch: filterChainMatch(opts), filters: [opts.filter] });
  }
  const listener: Record<string, unknown> = {
    name: `${plan.address}_${port}`,
    address: socketAddress(plan.address, port),
    ...notBound(plan),
    trafficDirection: 'OUTBOUND',
    continueOnListenerFiltersTimeout: true,
  };
  if (options.some((o) => o.sniHosts.length > 0)) {
    listener['listenerFilters'] = [{ name: TLS_INSPECTOR_FILTER, typedConfig: { '@type': TLS_INSPECTOR_TYPE } }];
  }
  // Without an HTTP inspector nothing waits on the client, so no timeout applies.
  listener['listenerFiltersTimeout'] = { seconds: 0 };
  if (filterChains.length === 0 && defaultChain) {
    listener['filterChains'] = [defaultChain];
  } else {
    listener['filterChains'] = filterChains;
    listener['defaultFilterChain'] = defaultChain ?? passthroughFilterChain(fallthroughCluster);
  }
  return listener;
}
