/**
 * Listener filters of capture listeners, derived from their filter chains
 * as Istio's populateListenerFilters derives them: original_dst when the
 * listener receives redirected connections, the TLS inspector when a chain
 * matches on TLS, the HTTP inspector when a chain matches on a cleartext
 * HTTP ALPN. An inspector needed on some destination ports only is
 * disabled on the others, so it never delays a connection that no chain
 * would tell apart by what it finds.
 */
import {
  HTTP_INSPECTOR_FILTER,
  HTTP_INSPECTOR_TYPE,
  ORIGINAL_DST_FILTER,
  ORIGINAL_DST_TYPE,
  TLS_INSPECTOR_FILTER,
  TLS_INSPECTOR_TYPE,
} from '../common/type-names.js';

interface InspectorNeeds {
  tls: boolean;
  http: boolean;
}

/** Istio's plaintextHTTPALPNs without HTTP/1.0 (its PILOT_HTTP10 default): what the HTTP inspector reports for cleartext HTTP. */
export const PLAINTEXT_HTTP_ALPNS: readonly string[] = ['http/1.1', 'h2c'];
const HTTP_ALPNS: ReadonlySet<string> = new Set(PLAINTEXT_HTTP_ALPNS);

export function originalDstFilter(): Record<string, unknown> {
  return { name: ORIGINAL_DST_FILTER, typedConfig: { '@type': ORIGINAL_DST_TYPE } };
}

/** Needs per destination port; port 0 stands for chains without a port match. */
function needsByPort(chains: readonly Readonly<Record<string, unknown>>[]): Map<number, InspectorNeeds> {
  const out = new Map<number, InspectorNeeds>();
  for (const chain of chains) {
    const match = (chain['filterChainMatch'] ?? {}) as { destinationPort?: { value?: number }; transportProtocol?: string; applicationProtocols?: string[] };
    const port = match.destinationPort?.value ?? 0;
    const needs = out.get(port) ?? { tls: false, http: false };
    needs.tls ||= match.transportProtocol === 'tls';
    needs.http ||= (match.applicationProtocols ?? []).some((p) => HTTP_ALPNS.has(p));
    out.set(port, needs);
  }
  return out;
}

/** Envoy's predicate for "destination port is one of `ports`" (ranges are [start, end)). */
function destinationPortsPredicate(ports: readonly number[]): Record<string, unknown> {
  const rules = ports.map((p) => ({ destinationPortRange: { start: p, end: p + 1 } }));
  return rules.length === 1 ? (rules[0] as Record<string, unknown>) : { orMatch: { rules } };
}

function inspector(name: string, type: string, disabledOn?: Record<string, unknown>): Record<string, unknown> {
  const filter: Record<string, unknown> = { name, typedConfig: { '@type': type } };
  if (disabledOn) filter['filterDisabled'] = disabledOn;
  return filter;
}

/** Istio's buildTLSInspector: enabled everywhere but the ports that do not need it, or only on those that do. */
function tlsInspector(needs: ReadonlyMap<number, InspectorNeeds>): Record<string, unknown> {
  const byDefault = needs.get(0)?.tls ?? false;
  const ports = [...needs].filter(([p, n]) => p !== 0 && n.tls !== byDefault).map(([p]) => p).sort((a, b) => a - b);
  if (ports.length === 0) return inspector(TLS_INSPECTOR_FILTER, TLS_INSPECTOR_TYPE);
  const listed = destinationPortsPredicate(ports);
  return inspector(TLS_INSPECTOR_FILTER, TLS_INSPECTOR_TYPE, byDefault ? listed : { notMatch: listed });
}

/** Istio's buildHTTPInspector: disabled on every port (including the port-less default, 0) whose chains do not need it. */
function httpInspector(needs: ReadonlyMap<number, InspectorNeeds>): Record<string, unknown> {
  const ports = [...needs].filter(([, n]) => !n.http).map(([p]) => p).sort((a, b) => a - b);
  return inspector(HTTP_INSPECTOR_FILTER, HTTP_INSPECTOR_TYPE, ports.length > 0 ? destinationPortsPredicate(ports) : undefined);
}

/** The TLS inspector must run first: the HTTP inspector does not look at a connection already recognised as TLS. */
export function inspectorFilters(chains: readonly Readonly<Record<string, unknown>>[]): Record<string, unknown>[] {
  const needs = needsByPort(chains);
  const out: Record<string, unknown>[] = [];
  if ([...needs.values()].some((n) => n.tls)) out.push(tlsInspector(needs));
  if ([...needs.values()].some((n) => n.http)) out.push(httpInspector(needs));
  return out;
}
