/**
 * Encoding of the requests an Envoy sends on ADS and a top-level scan of the
 * responses it gets, by hand on the wire format (field numbers from
 * envoy/service/discovery/v3/discovery.proto). Responses are scanned, not
 * decoded: the resources are left as one byte range that the response memo
 * compares and, on a miss, walks once for all clients.
 */
import { encodeRepeatedString, FieldCursor, readString, WireWriter, WIRE_LEN } from './protowire.js';
import { NameList } from './name-list.js';
import type { Span } from './resource-fields.js';

/** A top-level view of a DiscoveryResponse or DeltaDiscoveryResponse. */
export interface ScannedResponse {
  /** DiscoveryResponse.version_info, or DeltaDiscoveryResponse.system_version_info. */
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  readonly resourceCount: number;
  /** From the first byte of the first `resources` field to the end of the last one (tags included). */
  readonly resourcesRange: Span;
  /** Delta only: removed_resources (6) and removed_resource_names[].name (8). */
  readonly removed: readonly string[];
}

const NO_REMOVALS: readonly string[] = Object.freeze([]);

/**
 * DiscoveryResponse: version_info = 1, resources = 2, type_url = 4, nonce = 5.
 * DeltaDiscoveryResponse: system_version_info = 1, resources = 2, type_url = 4,
 * nonce = 5, removed_resources = 6, removed_resource_names = 8 (ResourceName.name = 1).
 */
export function scanResponse(buf: Uint8Array): ScannedResponse {
  const cursor = new FieldCursor(buf);
  let versionInfo = '';
  let typeUrl = '';
  let nonce = '';
  let resourceCount = 0;
  let rangeStart = -1;
  let rangeEnd = -1;
  let removed: string[] | undefined;
  while (cursor.next()) {
    const f = cursor.field;
    if (f.wireType === WIRE_LEN) {
      switch (f.fieldNumber) {
        case 1: versionInfo = readString(buf, f); break;
        case 2:
          resourceCount++;
          if (rangeStart < 0) rangeStart = f.tagStart;
          rangeEnd = f.end;
          break;
        case 4: typeUrl = readString(buf, f); break;
        case 5: nonce = readString(buf, f); break;
        case 6: (removed ??= []).push(readString(buf, f)); break;
        case 8: {
          const inner = new FieldCursor(buf, f.start, f.end);
          while (inner.next()) {
            if (inner.field.fieldNumber === 1 && inner.field.wireType === WIRE_LEN) (removed ??= []).push(readString(buf, inner.field));
          }
          break;
        }
        default: break;
      }
    }
  }
  const resourcesRange = rangeStart < 0 ? { start: 0, end: 0 } : { start: rangeStart, end: rangeEnd };
  return { versionInfo, typeUrl, nonce, resourceCount, resourcesRange, removed: removed ?? NO_REMOVALS };
}

/** Calls `visit` with the span of each `resources` entry (field 2) inside a scanned range. */
export function forEachResource(buf: Uint8Array, range: Span, visit: (entry: Span) => void): void {
  const cursor = new FieldCursor(buf, range.start, range.end);
  while (cursor.next()) {
    const f = cursor.field;
    if (f.fieldNumber === 2 && f.wireType === WIRE_LEN) visit({ start: f.start, end: f.end });
  }
}

/** The fields of a DiscoveryRequest that an Envoy sets. */
export interface SotwRequest {
  /** Pre-encoded config.core.v3.Node, present only on the stream's first request. */
  readonly node?: Uint8Array;
  readonly typeUrl: string;
  readonly versionInfo: string;
  readonly resourceNames: NameList;
  readonly responseNonce: string;
}

/** DiscoveryRequest: version_info = 1, node = 2, resource_names = 3, type_url = 4, response_nonce = 5. */
export function encodeSotwRequest(req: SotwRequest): Buffer {
  const names = req.resourceNames.encodedAs(3);
  const w = new WireWriter(names.length + (req.node?.length ?? 0) + 256);
  w.stringField(1, req.versionInfo);
  if (req.node) w.bytesField(2, req.node);
  w.raw(names);
  w.stringField(4, req.typeUrl);
  w.stringField(5, req.responseNonce);
  return w.finish();
}

/** The fields of a DeltaDiscoveryRequest that an Envoy sets. */
export interface DeltaRequest {
  readonly node?: Uint8Array;
  readonly typeUrl: string;
  /** A shared NameList is encoded once for all clients; an array is encoded per request. */
  readonly subscribe?: NameList | readonly string[];
  readonly unsubscribe?: readonly string[];
  readonly responseNonce?: string;
}

/**
 * DeltaDiscoveryRequest: node = 1, type_url = 2, resource_names_subscribe = 3,
 * resource_names_unsubscribe = 4, response_nonce = 6.
 */
export function encodeDeltaRequest(req: DeltaRequest): Buffer {
  const subscribe = req.subscribe instanceof NameList ? req.subscribe.encodedAs(3) : encodeRepeatedString(3, req.subscribe ?? []);
  const w = new WireWriter(256 + (req.node?.length ?? 0) + subscribe.length + 64 * (req.unsubscribe?.length ?? 0));
  if (req.node) w.bytesField(1, req.node);
  w.stringField(2, req.typeUrl);
  w.raw(subscribe);
  for (const n of req.unsubscribe ?? []) w.bytesField(4, Buffer.from(n, 'utf8'));
  w.stringField(6, req.responseNonce ?? '');
  return w.finish();
}
