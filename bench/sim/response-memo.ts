/**
 * What a client derives from a response's resources (their names, the EDS
 * and RDS names they make an Envoy subscribe to), computed once per distinct
 * content and shared by every client that receives the same bytes.
 *
 * The key is the type plus the exact bytes of the resources, compared with
 * Buffer.equals: a memcmp is far cheaper than walking a thousand resources,
 * and it stays correct whatever version_info/nonce scheme the server uses or
 * if two proxies get different content under one version.
 */
import { EMPTY_NAMES, NameList } from './name-list.js';
import { FieldCursor, readString, WIRE_LEN } from './protowire.js';
import { clusterEdsServiceName, listenerRouteNames, resourceName, unpackAny, type Span } from './resource-fields.js';
import { forEachResource } from './xds-messages.js';

export const CLUSTER_TYPE = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
export const ENDPOINT_TYPE = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
export const LISTENER_TYPE = 'type.googleapis.com/envoy.config.listener.v3.Listener';
export const ROUTE_TYPE = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';

export type WireFormat = 'sotw' | 'delta';

export interface ResponseContent {
  /** Names of the resources carried. */
  readonly names: NameList;
  /** CDS: the EDS names of its EDS clusters; empty otherwise. */
  readonly edsNames: NameList;
  /** LDS: the RDS route configuration names its HTTP connection managers use; empty otherwise. */
  readonly routeNames: NameList;
}

interface MemoEntry {
  readonly bytes: Buffer;
  readonly content: ResponseContent;
}

/** Keeps memory bounded over long runs; a few dozen distinct responses are live at any time. */
const MAX_MEMO_BYTES = 512 * 1024 * 1024;

/** Cluster name to EDS name, learned from every CDS content seen; Delta removals need it. */
const edsNameByCluster = new Map<string, string>();

export function edsNameOfCluster(clusterName: string): string | undefined {
  return edsNameByCluster.get(clusterName);
}

export class ResponseMemo {
  private readonly entries = new Map<string, MemoEntry[]>();
  private memoBytes = 0;
  hits = 0;
  misses = 0;

  contentOf(format: WireFormat, typeUrl: string, buf: Buffer, range: Span): ResponseContent {
    if (range.end <= range.start) return EMPTY_CONTENT;
    const bytes = buf.subarray(range.start, range.end);
    const key = `${format}\0${typeUrl}\0${bytes.length}`;
    const bucket = this.entries.get(key);
    if (bucket) {
      for (const entry of bucket) {
        if (entry.bytes.equals(bytes)) {
          this.hits++;
          return entry.content;
        }
      }
    }
    this.misses++;
    const content = deriveContent(format, typeUrl, buf, range);
    this.remember(key, { bytes: Buffer.from(bytes), content });
    return content;
  }

  private remember(key: string, entry: MemoEntry): void {
    const bucket = this.entries.get(key);
    if (bucket) bucket.push(entry);
    else this.entries.set(key, [entry]);
    this.memoBytes += entry.bytes.length;
    for (const [oldKey, oldBucket] of this.entries) {
      if (this.memoBytes <= MAX_MEMO_BYTES) break;
      this.entries.delete(oldKey);
      for (const e of oldBucket) this.memoBytes -= e.bytes.length;
    }
  }
}

const EMPTY_CONTENT: ResponseContent = { names: EMPTY_NAMES, edsNames: EMPTY_NAMES, routeNames: EMPTY_NAMES };

/** The serialized resource message inside one `resources` entry: an Any (SotW) or a Resource's Any (Delta). */
function resourceMessage(format: WireFormat, buf: Buffer, entry: Span): { name: string; message: Span } {
  if (format === 'sotw') {
    const message = unpackAny(buf, entry).value;
    return { name: resourceName(buf, message), message };
  }
  // Resource: version = 1, resource = 2 (Any), name = 3.
  let name = '';
  let message: Span = { start: entry.end, end: entry.end };
  const cursor = new FieldCursor(buf, entry.start, entry.end);
  while (cursor.next()) {
    const f = cursor.field;
    if (f.wireType !== WIRE_LEN) continue;
    if (f.fieldNumber === 3) name = readString(buf, f);
    else if (f.fieldNumber === 2) message = unpackAny(buf, { start: f.start, end: f.end }).value;
  }
  if (!name && message.end > message.start) name = resourceName(buf, message);
  return { name, message };
}

function deriveContent(format: WireFormat, typeUrl: string, buf: Buffer, range: Span): ResponseContent {
  const names: string[] = [];
  const edsNames: string[] = [];
  const routeNames = new Set<string>();
  forEachResource(buf, range, (entry) => {
    const { name, message } = resourceMessage(format, buf, entry);
    names.push(name);
    if (typeUrl === CLUSTER_TYPE) {
      const eds = clusterEdsServiceName(buf, message);
      if (eds !== undefined) {
        edsNames.push(eds);
        edsNameByCluster.set(name, eds);
      }
    } else if (typeUrl === LISTENER_TYPE) {
      listenerRouteNames(buf, message, routeNames);
    }
  });
  return {
    names: new NameList(names),
    edsNames: edsNames.length ? new NameList(edsNames) : EMPTY_NAMES,
    routeNames: routeNames.size ? new NameList([...routeNames].sort()) : EMPTY_NAMES,
  };
}
