/**
 * Which filter chains an inbound port gets for its mutual TLS mode (Istio's
 * filterchain_options.go): each option is one chain, saying what the
 * connection looks like on arrival (transport protocol and ALPN, as the
 * TLS and HTTP inspectors report them), whether the chain speaks HTTP or
 * TCP, and whether it terminates Istio mutual TLS.
 *
 * STRICT leaves only chains that terminate mTLS. PERMISSIVE adds them to
 * the plaintext ones, telling the two apart by transport protocol and by
 * the ALPN values only Istio clients send ("istio", "istio-peer-exchange"
 * and "istio-http/*", which a sidecar's outbound cluster adds); a TCP port
 * also passes one-way TLS from a client without a sidecar through
 * untouched. DISABLE is plaintext only.
 */
import type { MutualTlsMode } from '../../../model/peer-authentication.js';
import type { InboundChainProtocol } from '../common/inbound-mtls-context.js';
import { PLAINTEXT_HTTP_ALPNS } from './listener-filters.js';

export interface InboundChainOption {
  readonly protocol: InboundChainProtocol;
  readonly transportProtocol: 'raw_buffer' | 'tls';
  readonly applicationProtocols?: readonly string[];
  /** The chain terminates Istio mutual TLS with the workload's certificate. */
  readonly terminatesMtls: boolean;
}

/** Istio's mtlsHTTPALPNs, allIstioMtlsALPNs and mtlsTCPWithMxcALPNs. */
export const MTLS_HTTP_ALPNS: readonly string[] = Object.freeze(['istio-http/1.0', 'istio-http/1.1', 'istio-h2']);
export const ALL_ISTIO_MTLS_ALPNS: readonly string[] = Object.freeze(['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']);
export const MTLS_TCP_ALPNS: readonly string[] = Object.freeze(['istio-peer-exchange', 'istio']);

/** A port's protocol as its chains see it; AUTO (the passthrough chains) detects HTTP from the client's ALPN. */
export type ListenerProtocol = InboundChainProtocol | 'AUTO';

function option(protocol: InboundChainProtocol, transportProtocol: 'raw_buffer' | 'tls', terminatesMtls: boolean, alpn?: readonly string[]): InboundChainOption {
  return { protocol, transportProtocol, terminatesMtls, ...(alpn ? { applicationProtocols: alpn } : {}) };
}

const OPTIONS: Readonly<Record<ListenerProtocol, Readonly<Record<MutualTlsMode, readonly InboundChainOption[]>>>> = {
  HTTP: {
    STRICT: [option('HTTP', 'tls', true)],
    PERMISSIVE: [option('HTTP', 'tls', true, ALL_ISTIO_MTLS_ALPNS), option('HTTP', 'raw_buffer', false)],
    DISABLE: [option('HTTP', 'raw_buffer', false)],
  },
  TCP: {
    STRICT: [option('TCP', 'tls', true)],
    PERMISSIVE: [option('TCP', 'tls', true, ALL_ISTIO_MTLS_ALPNS), option('TCP', 'tls', false), option('TCP', 'raw_buffer', false)],
    DISABLE: [option('TCP', 'raw_buffer', false)],
  },
  AUTO: {
    STRICT: [option('HTTP', 'tls', true, MTLS_HTTP_ALPNS), option('TCP', 'tls', true)],
    PERMISSIVE: [
      // An Istio client that detected HTTP, over mTLS; a client without mTLS sending HTTP.
      option('HTTP', 'tls', true, MTLS_HTTP_ALPNS),
      option('HTTP', 'raw_buffer', false, PLAINTEXT_HTTP_ALPNS),
      // An Istio client that did not detect HTTP, over mTLS; then plain TCP; then one-way TLS from a client without a sidecar.
      option('TCP', 'tls', true, MTLS_TCP_ALPNS),
      option('TCP', 'raw_buffer', false),
      option('TCP', 'tls', false),
    ],
    DISABLE: [option('HTTP', 'raw_buffer', false, PLAINTEXT_HTTP_ALPNS), option('TCP', 'raw_buffer', false)],
  },
};

/** Istio's getFilterChainMatchOptions. */
export function inboundChainOptions(mode: MutualTlsMode, protocol: ListenerProtocol): readonly InboundChainOption[] {
  return OPTIONS[protocol][mode];
}
