/**
 * DiscoveryRequest decoding for SotW. Envoy repeats its whole subscription in
 * every ACK — for EDS, a thousand cluster names per request on a large mesh —
 * so decoding every name of every ACK dominated the server's CPU. Instead the
 * raw bytes of the resource_names fields are hashed, and the names are
 * decoded only when someone asks for them, which the stream does only when
 * the hash differs from the previous request's.
 */
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { envoyType } from '../proto/envoy-protos.js';
import type { ErrorDetail, SotwRequest } from './xds-requests.js';
import { toErrorDetail, toNode, type DecodedNode } from './request-fields.js';

const RESOURCE_NAMES = 3;

let nodeType: protobuf.Type | undefined;
let statusType: protobuf.Type | undefined;

class DecodedSotwRequest implements SotwRequest {
  private names: readonly string[] | undefined;

  constructor(
    readonly versionInfo: string,
    readonly node: SotwRequest['node'],
    readonly typeUrl: string,
    readonly responseNonce: string,
    readonly errorDetail: ErrorDetail | undefined,
    readonly resourceNamesKey: string,
    private readonly bytes: Buffer,
    private readonly nameRanges: ReadonlyArray<readonly [number, number]>,
  ) {}

  get resourceNames(): readonly string[] {
    if (!this.names) {
      const out: string[] = [];
      for (const [start, end] of this.nameRanges) out.push(this.bytes.toString('utf8', start, end));
      this.names = out;
    }
    return this.names;
  }
}

export function decodeSotwRequest(bytes: Buffer): SotwRequest {
  const reader = protobuf.Reader.create(bytes);
  let versionInfo = '';
  let node: DecodedNode | undefined;
  let typeUrl = '';
  let responseNonce = '';
  let status: { code?: number; message?: string } | undefined;
  const nameRanges: Array<readonly [number, number]> = [];
  // Each resource_names field whole (tag, length, bytes): hashing these gives the same key whether or not other fields sit between them.
  const fieldSpans: Array<readonly [number, number]> = [];
  let regionStart = -1;
  let regionEnd = -1;
  let contiguous = true;
  while (reader.pos < reader.len) {
    const fieldStart = reader.pos;
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: versionInfo = reader.string(); break;
      case 2: node = (nodeType ??= envoyType('envoy.config.core.v3.Node')).decode(reader, reader.uint32()) as unknown as DecodedNode; break;
      case RESOURCE_NAMES: {
        if ((tag & 7) !== 2) throw new Error('resource_names: not a length-delimited field');
        const length = reader.uint32();
        const start = reader.pos;
        reader.skip(length);
        nameRanges.push([start, start + length]);
        fieldSpans.push([fieldStart, reader.pos]);
        if (regionStart < 0) regionStart = fieldStart;
        else if (regionEnd !== fieldStart) contiguous = false;
        regionEnd = reader.pos;
        break;
      }
      case 4: typeUrl = reader.string(); break;
      case 5: responseNonce = reader.string(); break;
      case 6: status = (statusType ??= envoyType('google.rpc.Status')).decode(reader, reader.uint32()) as unknown as typeof status; break;
      default: reader.skipType(tag & 7);
    }
  }
  let key = '';
  if (nameRanges.length > 0) {
    const hash = createHash('sha1');
    if (contiguous) hash.update(bytes.subarray(regionStart, regionEnd));
    else for (const [s, e] of fieldSpans) hash.update(bytes.subarray(s, e));
    key = `${nameRanges.length}:${hash.digest('base64')}`;
  }
  return new DecodedSotwRequest(versionInfo, toNode(node), typeUrl, responseNonce, toErrorDetail(status), key, bytes, nameRanges);
}
