/**
 * A VirtualService names gateways as "name", "namespace/name", "./name" or
 * the legacy "name.namespace.svc.<domain>"; Istio resolves them all to
 * "namespace/name" relative to the VirtualService's namespace, and keeps the
 * reserved "mesh" as is (its resolveGatewayName).
 */
export const MESH_GATEWAY = 'mesh';

export function resolveGatewayName(gateway: string, namespace: string): string {
  if (gateway === MESH_GATEWAY) return gateway;
  const slash = gateway.indexOf('/');
  if (slash >= 0) return gateway.slice(0, slash) === '.' ? `${namespace}/${gateway.slice(slash + 1)}` : gateway;
  const dot = gateway.indexOf('.');
  if (dot < 0) return `${namespace}/${gateway}`;
  const rest = gateway.slice(dot + 1);
  const nextDot = rest.indexOf('.');
  return `${nextDot < 0 ? rest : rest.slice(0, nextDot)}/${gateway.slice(0, dot)}`;
}
