/**
 * Envoy's filter chain selection (listener_components.proto,
 * FilterChainMatch): the criteria are applied in order (destination port,
 * destination IP, server name, transport protocol, application protocols),
 * and at each step the chains that match most specifically stay; only when
 * none matches do the chains that leave the criterion empty stay. Source
 * criteria are not used by Istio's sidecars and gateways for routing and
 * are not modelled. With no chain left, the default chain applies.
 */
import type { NormalizedRequest } from './request.js';
import { SimulationError } from './simulation-error.js';
import { numeric, record, records, strings, text, type Json } from './xds-view.js';

const TLS_INSPECTOR = 'envoy.filters.listener.tls_inspector';
const HTTP_INSPECTOR = 'envoy.filters.listener.http_inspector';

export interface MatchedChain {
  readonly chain: Json;
  /** Index among filterChains; -1 for the default chain. */
  readonly index: number;
  readonly name: string | undefined;
  readonly isDefault: boolean;
}

interface Candidate {
  readonly chain: Json;
  readonly index: number;
  readonly match: Json;
}

function hasListenerFilter(listener: Json, name: string, typeSuffix: string): boolean {
  return records(listener['listenerFilters']).some((f) => f['name'] === name || (text(record(f['typedConfig'])?.['@type']) ?? '').endsWith(typeSuffix));
}

/**
 * Keeps the candidates with the highest rank > 0 for a criterion; if none
 * ranks, those without the criterion. `isSet` says whether a chain sets it.
 */
function narrow(candidates: readonly Candidate[], isSet: (m: Json) => boolean, rank: (m: Json) => number): Candidate[] {
  if (!candidates.some((c) => isSet(c.match))) return [...candidates];
  let best = 0;
  let kept: Candidate[] = [];
  for (const c of candidates) {
    if (!isSet(c.match)) continue;
    const r = rank(c.match);
    if (r <= 0) continue;
    if (r > best) {
      best = r;
      kept = [c];
    } else if (r === best) kept.push(c);
  }
  return kept.length > 0 ? kept : candidates.filter((c) => !isSet(c.match));
}

function cidrContains(prefix: string, length: number, address: string): boolean {
  const toBits = (ip: string): number | undefined => {
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  };
  const a = toBits(address);
  const p = toBits(prefix);
  if (a === undefined || p === undefined) return prefix === address;
  if (length === 0) return true;
  const mask = (0xffffffff << (32 - length)) >>> 0;
  return (a & mask) === (p & mask);
}

/** Exact names rank above every wildcard; a longer wildcard suffix ranks above a shorter one. */
function serverNameRank(serverNames: readonly string[], sni: string | undefined): number {
  if (sni === undefined || sni === '') return 0;
  const name = sni.toLowerCase();
  let best = 0;
  for (const candidate of serverNames.map((s) => s.toLowerCase())) {
    if (candidate === name) best = Number.MAX_SAFE_INTEGER;
    else if (candidate.startsWith('*.') && name.endsWith(candidate.slice(1)) && name.length > candidate.length - 1) best = Math.max(best, candidate.length);
  }
  return best;
}

export function matchFilterChain(listener: Json, request: NormalizedRequest, destinationAddress: string): MatchedChain {
  const hasTlsInspector = hasListenerFilter(listener, TLS_INSPECTOR, 'TlsInspector');
  const hasHttpInspector = hasListenerFilter(listener, HTTP_INSPECTOR, 'HttpInspector');
  // Without the TLS inspector Envoy sees neither SNI nor ALPN, and every connection is raw_buffer.
  const transport = hasTlsInspector && request.isTls ? 'tls' : 'raw_buffer';
  const sni = hasTlsInspector ? request.sni : undefined;
  let alpn: readonly string[] = hasTlsInspector && request.isTls ? request.alpn : [];
  if (hasHttpInspector && !request.isTls && request.protocol === 'http') alpn = ['http/1.1'];

  let candidates: Candidate[] = records(listener['filterChains']).map((chain, index) => ({ chain, index, match: record(chain['filterChainMatch']) ?? {} }));
  const all = candidates;
  candidates = narrow(candidates, (m) => m['destinationPort'] !== undefined, (m) => (numeric(m['destinationPort']) === request.port ? 1 : 0));
  candidates = narrow(
    candidates,
    (m) => records(m['prefixRanges']).length > 0,
    (m) => {
      let best = 0;
      for (const range of records(m['prefixRanges'])) {
        const length = numeric(range['prefixLen']) ?? 0;
        // A /0 matches too; rank by length + 1 so that it still counts as a match.
        if (cidrContains(text(range['addressPrefix']) ?? '', length, destinationAddress)) best = Math.max(best, length + 1);
      }
      return best;
    },
  );
  candidates = narrow(candidates, (m) => strings(m['serverNames']).length > 0, (m) => serverNameRank(strings(m['serverNames']), sni));
  candidates = narrow(candidates, (m) => (text(m['transportProtocol']) ?? '') !== '', (m) => (m['transportProtocol'] === transport ? 1 : 0));
  candidates = narrow(
    candidates,
    (m) => strings(m['applicationProtocols']).length > 0,
    (m) => (strings(m['applicationProtocols']).some((p) => alpn.includes(p)) ? 1 : 0),
  );

  if (candidates.length > 1) {
    const which = candidates.map((c) => text(c.chain['name']) ?? `#${c.index}`).join(', ');
    throw new SimulationError('filter chain', `listener ${String(listener['name'])}: several chains match equally (${which}); Envoy refuses such a listener`);
  }
  const [found] = candidates;
  if (found) return { chain: found.chain, index: found.index, name: text(found.chain['name']), isDefault: false };
  const fallback = record(listener['defaultFilterChain']);
  if (fallback) return { chain: fallback, index: -1, name: text(fallback['name']), isDefault: true };
  throw new SimulationError(
    'filter chain',
    `listener ${String(listener['name'])}: no chain matches port ${request.port}, ${destinationAddress}, sni ${sni ?? '(none)'}, ${transport}, alpn [${alpn.join(',')}] among ${all.length} chains, and there is no default chain`,
  );
}
