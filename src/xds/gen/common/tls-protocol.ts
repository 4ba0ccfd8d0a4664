/**
 * Istio's TLS protocol names (ServerTLSSettings.TLSProtocol,
 * MeshConfig.TLSConfig.TLSProtocol) → Envoy's TlsParameters.TlsProtocol.
 */
const ENVOY_TLS_PROTOCOL: Readonly<Record<string, string>> = {
  TLS_AUTO: 'TLS_AUTO',
  TLSV1_0: 'TLSv1_0',
  TLSV1_1: 'TLSv1_1',
  TLSV1_2: 'TLSv1_2',
  TLSV1_3: 'TLSv1_3',
};

/** Envoy's name for an Istio TLS version; undefined for TLS_AUTO (Envoy's default) and unknown names. */
export function envoyTlsProtocol(istioName: string | undefined): string | undefined {
  const name = istioName === undefined ? undefined : ENVOY_TLS_PROTOCOL[istioName];
  return name === 'TLS_AUTO' ? undefined : name;
}
