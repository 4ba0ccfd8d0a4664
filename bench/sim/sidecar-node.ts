/**
 * The xDS Node a sidecar Envoy started by pilot-agent sends: Istio's node id
 * format and the ISTIO_META_* metadata istiod reads. Encoded once per client
 * with protobufjs (the Struct metadata is not worth hand-encoding).
 */
import { envoyType } from '../../src/xds/proto/envoy-protos.js';

/** Who a simulated client pretends to be: one pod of the generated mesh. */
export interface SidecarIdentity {
  readonly podName: string;
  readonly namespace: string;
  readonly ip: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** The Deployment-like owner name (Istio's WORKLOAD_NAME). */
  readonly workloadName: string;
}

export const ISTIO_VERSION = '1.24.0';

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** google.protobuf.Value in protobufjs fromObject form. */
function structValue(value: JsonValue): Record<string, unknown> {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(structValue) } };
  return { structValue: struct(value) };
}

function struct(object: { [key: string]: JsonValue }): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) fields[k] = structValue(v);
  return { fields };
}

export function sidecarNodeId(who: SidecarIdentity): string {
  return `sidecar~${who.ip}~${who.podName}.${who.namespace}~${who.namespace}.svc.cluster.local`;
}

/** The node as plain JSON metadata, the way pilot-agent fills it in. */
export function sidecarMetadata(who: SidecarIdentity): { [key: string]: JsonValue } {
  return {
    NAME: who.podName,
    NAMESPACE: who.namespace,
    LABELS: { ...who.labels },
    SERVICE_ACCOUNT: who.serviceAccount,
    ISTIO_VERSION,
    CLUSTER_ID: 'Kubernetes',
    MESH_ID: 'cluster.local',
    INSTANCE_IPS: who.ip,
    WORKLOAD_NAME: who.workloadName,
  };
}

/** config.core.v3.Node, serialized. */
export function encodeSidecarNode(who: SidecarIdentity): Uint8Array {
  const Node = envoyType('envoy.config.core.v3.Node');
  const app = who.labels['app'] ?? who.workloadName;
  const message = Node.fromObject({
    id: sidecarNodeId(who),
    cluster: `${app}.${who.namespace}`,
    metadata: struct(sidecarMetadata(who)),
    userAgentName: 'envoy',
  });
  return Node.encode(message).finish();
}
