/**
 * What a proxyless gRPC server's inbound listeners depend on, as plain JSON
 * for the LDS generator key (Istio's grpcgen buildInboundListeners): the
 * ports its workload serves (a listener is built only for a port one of
 * its services targets), the TLS mode of each, and the
 * AuthorizationPolicies that apply to it. The requested names are not part
 * of it: they come with each request.
 *
 * The mode follows grpcgen's buildInboundFilterChains, because gRPC cannot
 * tell TLS from plaintext on one port (gRFC A36 matches filter chains on
 * transport_protocol "raw_buffer" only): STRICT is mutual TLS, DISABLE is
 * plaintext, and PERMISSIVE is plaintext, unless the pod carries
 * security.istio.io/tlsMode=istio, whose clients (auto mTLS) will come
 * with mutual TLS, in which case it is STRICT.
 */
import type { ProxyNode } from '../../../model/proxy.js';
import { mutualTlsModeForPort, peerAuthenticationFor } from '../../../model/peer-authentication.js';
import { authorizationPoliciesFor } from '../../../model/security-policy-selection.js';
import type { MeshSnapshot } from '../../../model/types.js';
import { proxyServiceInstances } from '../common/proxy-service-instances.js';

/** Istio's label.SecurityTlsMode and the value injected pods carry. */
const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
const ISTIO_TLS_MODE = 'istio';

export type ProxylessInboundTls = 'STRICT' | 'DISABLE';

/**
 * Flat lists of strings, as generator keys must be: workload (target) ports
 * as decimal strings, ascending, split by TLS; policies as "<namespace>/<name>"
 * in selection order.
 */
// A type, not an interface: generator keys need the implicit index signature.
export type ProxylessInbound = {
  readonly inboundMtlsPorts: readonly string[];
  readonly inboundPlaintextPorts: readonly string[];
  readonly inboundAuthorizationPolicies: readonly string[];
};

export const NO_PROXYLESS_INBOUND: ProxylessInbound = Object.freeze({
  inboundMtlsPorts: Object.freeze([]),
  inboundPlaintextPorts: Object.freeze([]),
  inboundAuthorizationPolicies: Object.freeze([]),
});

export function proxylessInboundOf(proxy: ProxyNode, snapshot: MeshSnapshot): ProxylessInbound {
  const instances = proxyServiceInstances(proxy, snapshot);
  const policies = authorizationPoliciesFor(snapshot.authorizationPolicies, snapshot.mesh.rootNamespace, { namespace: proxy.namespace, labels: proxy.labels });
  if (instances.length === 0 && policies.length === 0) return NO_PROXYLESS_INBOUND;
  const effective = peerAuthenticationFor(snapshot, proxy.namespace, proxy.labels);
  const autoMtls = proxy.labels[TLS_MODE_LABEL] === ISTIO_TLS_MODE;
  const mtls = new Set<number>();
  const plaintext = new Set<number>();
  for (const { targetPort } of instances) {
    const mode = mutualTlsModeForPort(effective, targetPort);
    (mode === 'STRICT' || (mode === 'PERMISSIVE' && autoMtls) ? mtls : plaintext).add(targetPort);
  }
  const sorted = (ports: Set<number>): string[] => [...ports].sort((a, b) => a - b).map(String);
  return {
    inboundMtlsPorts: sorted(mtls),
    inboundPlaintextPorts: sorted(plaintext),
    inboundAuthorizationPolicies: policies.map((p) => `${p.meta.namespace}/${p.meta.name}`),
  };
}

/** The TLS of a workload port from a key, or undefined when the workload does not serve it. */
export function inboundTlsForPort(inbound: ProxylessInbound, port: number): ProxylessInboundTls | undefined {
  const key = String(port);
  if (inbound.inboundMtlsPorts.includes(key)) return 'STRICT';
  if (inbound.inboundPlaintextPorts.includes(key)) return 'DISABLE';
  return undefined;
}
