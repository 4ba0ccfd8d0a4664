/**
 * The few fields of Envoy resources that drive an Envoy's subscriptions,
 * read straight off the wire. Field numbers are from envoy/config/*.proto
 * (v3) as shipped in @grpc/grpc-js-xds deps.
 */
import { FieldCursor, readString, readStringField, WIRE_LEN, WIRE_VARINT } from './protowire.js';

/** Byte range of a message nested inside a larger buffer. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

const HCM_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/** Cluster.DiscoveryType.EDS (cluster.proto). */
const DISCOVERY_TYPE_EDS = 3;

/** google.protobuf.Any: type_url = 1, value = 2. Returns the value's span and the type URL. */
export function unpackAny(buf: Uint8Array, any: Span): { typeUrl: string; value: Span } {
  const cursor = new FieldCursor(buf, any.start, any.end);
  let typeUrl = '';
  let value: Span = { start: any.end, end: any.end };
  while (cursor.next()) {
    const f = cursor.field;
    if (f.wireType !== WIRE_LEN) continue;
    if (f.fieldNumber === 1) typeUrl = readString(buf, f);
    else if (f.fieldNumber === 2) value = { start: f.start, end: f.end };
  }
  return { typeUrl, value };
}

/**
 * The name of a Cluster, ClusterLoadAssignment (cluster_name), Listener or
 * RouteConfiguration: field 1 in all four.
 */
export function resourceName(buf: Uint8Array, message: Span): string {
  return readStringField(buf, 1, message.start, message.end);
}

/**
 * The EDS service name Envoy subscribes to for this Cluster, or undefined
 * when the cluster does not use EDS. Cluster: name = 1, type = 2 (enum),
 * eds_cluster_config = 3 { eds_config = 1, service_name = 2 }. Envoy uses
 * service_name when set, else the cluster name.
 */
export function clusterEdsServiceName(buf: Uint8Array, cluster: Span): string | undefined {
  const cursor = new FieldCursor(buf, cluster.start, cluster.end);
  let name = '';
  let isEds = false;
  let serviceName = '';
  while (cursor.next()) {
    const f = cursor.field;
    if (f.fieldNumber === 1 && f.wireType === WIRE_LEN) name = readString(buf, f);
    else if (f.fieldNumber === 2 && f.wireType === WIRE_VARINT) isEds = isEds || f.varint === DISCOVERY_TYPE_EDS;
    else if (f.fieldNumber === 3 && f.wireType === WIRE_LEN) {
      isEds = true;
      serviceName = readStringField(buf, 2, f.start, f.end);
    }
  }
  if (!isEds) return undefined;
  return serviceName || name;
}

/**
 * Adds to `out` every RDS route_config_name referenced by the Listener's
 * HttpConnectionManagers. Listener: filter_chains = 3, default_filter_chain
 * = 25; FilterChain: filters = 3; Filter: typed_config = 4 (Any);
 * HttpConnectionManager: rds = 3 { route_config_name = 2 }.
 */
export function listenerRouteNames(buf: Uint8Array, listener: Span, out: Set<string>): void {
  const cursor = new FieldCursor(buf, listener.start, listener.end);
  while (cursor.next()) {
    const f = cursor.field;
    if ((f.fieldNumber === 3 || f.fieldNumber === 25) && f.wireType === WIRE_LEN) {
      filterChainRouteNames(buf, { start: f.start, end: f.end }, out);
    }
  }
}

function filterChainRouteNames(buf: Uint8Array, chain: Span, out: Set<string>): void {
  const cursor = new FieldCursor(buf, chain.start, chain.end);
  while (cursor.next()) {
    const f = cursor.field;
    if (f.fieldNumber !== 3 || f.wireType !== WIRE_LEN) continue;
    const typedConfig = findLenField(buf, { start: f.start, end: f.end }, 4);
    if (!typedConfig) continue;
    const { typeUrl, value } = unpackAny(buf, typedConfig);
    if (typeUrl !== HCM_TYPE_URL) continue;
    const rds = findLenField(buf, value, 3);
    if (!rds) continue;
    const routeName = readStringField(buf, 2, rds.start, rds.end);
    if (routeName) out.add(routeName);
  }
}

function findLenField(buf: Uint8Array, message: Span, fieldNumber: number): Span | undefined {
  const cursor = new FieldCursor(buf, message.start, message.end);
  while (cursor.next()) {
    const f = cursor.field;
    if (f.fieldNumber === fieldNumber && f.wireType === WIRE_LEN) return { start: f.start, end: f.end };
  }
  return undefined;
}
