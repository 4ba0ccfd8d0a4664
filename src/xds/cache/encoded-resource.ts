/**
 * A resource encoded once and framed once for both wire protocols, so that
 * every proxy receiving it shares the same bytes: a response is a
 * concatenation of these buffers plus a small header.
 */
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { typeForUrl } from '../proto/envoy-protos.js';
import type { XdsTypeUrl } from '../proto/type-urls.js';
import type { GeneratedResource } from '../gen/generator.js';
import { envoyValidator } from '../validate/envoy-validator.js';
import { formatViolations, type Violation } from '../validate/violation.js';

export interface EncodedResource {
  readonly name: string;
  readonly typeUrl: XdsTypeUrl;
  /** Content hash of the encoded message: stable across restarts, so a reconnecting proxy that has it is sent nothing. */
  readonly version: string;
  /** Two 32-bit words of the content hash, summed into set digests (see set-version.ts). */
  readonly digest: readonly [number, number];
  /** `DiscoveryResponse.resources` entry: field 2, length-delimited Any. */
  readonly sotwFrame: Uint8Array;
  /** `DeltaDiscoveryResponse.resources` entry: field 2, length-delimited Resource{name, version, resource}. */
  readonly deltaFrame: Uint8Array;
  /** Size of the encoded message itself, for metrics. */
  readonly size: number;
}

export class ResourceEncodingError extends Error {
  override readonly name = 'ResourceEncodingError';
  constructor(readonly typeUrl: string, readonly resourceName: string, cause: unknown) {
    super(`cannot encode ${typeUrl} "${resourceName}": ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * A resource that breaks a protoc-gen-validate rule of Envoy's protos. Envoy
 * would reject the whole response carrying it, so it is never sent.
 */
export class InvalidResourceError extends Error {
  override readonly name = 'InvalidResourceError';
  constructor(readonly typeUrl: string, readonly resourceName: string, readonly violations: readonly Violation[]) {
    super(`invalid ${typeUrl} "${resourceName}": ${formatViolations(violations)}`);
  }
}

const FIELD_2_LEN = (2 << 3) | 2;

/**
 * Encodes, validates and frames one resource. Throws ResourceEncodingError
 * when it cannot be encoded, InvalidResourceError when what would go on the
 * wire breaks a PGV rule.
 */
export function encodeResource(typeUrl: XdsTypeUrl, generated: GeneratedResource): EncodedResource {
  let value: Uint8Array;
  let violations: Violation[];
  try {
    const type = typeForUrl(typeUrl);
    value = type.encode(type.fromObject(generated.resource)).finish();
    // The encoded bytes, not the generator's object: fromObject coerces and drops, and the proxy sees only the bytes.
    violations = envoyValidator().validateEncoded(type, value);
  } catch (err) {
    throw new ResourceEncodingError(typeUrl, generated.name, err);
  }
  if (violations.length > 0) throw new InvalidResourceError(typeUrl, generated.name, violations);
  const hash = createHash('sha256').update(typeUrl).update(value).digest();
  const version = hash.subarray(0, 12).toString('base64url');
  const any = protobuf.Writer.create().uint32((1 << 3) | 2).string(typeUrl).uint32(FIELD_2_LEN).bytes(value).finish();
  const sotwFrame = protobuf.Writer.create().uint32(FIELD_2_LEN).bytes(any).finish();
  const deltaResource = protobuf.Writer.create()
    .uint32((3 << 3) | 2).string(generated.name)
    .uint32((1 << 3) | 2).string(version)
    .uint32(FIELD_2_LEN).bytes(any)
    .finish();
  const deltaFrame = protobuf.Writer.create().uint32(FIELD_2_LEN).bytes(deltaResource).finish();
  return Object.freeze({
    name: generated.name,
    typeUrl,
    version,
    digest: [hash.readUInt32LE(12), hash.readUInt32LE(16)] as const,
    sotwFrame,
    deltaFrame,
    size: value.length,
  });
}
