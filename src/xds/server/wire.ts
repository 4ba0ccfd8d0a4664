/**
 * The ADS service on the wire. Requests are decoded with protobufjs into
 * small plain objects; responses are assembled from resources that were
 * framed once in the cache (see encoded-resource.ts), so a response costs a
 * header and a memory copy, not an encode.
 */
import protobuf from 'protobufjs';
import type * as grpc from '@grpc/grpc-js';
import { envoyType } from '../proto/envoy-protos.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import type { OutboundResponse } from './outbound-queue.js';
import { toErrorDetail, toNode, type DecodedNode } from './request-fields.js';
import { decodeSotwRequest } from './sotw-request-decoder.js';

export { decodeSotwRequest };

export type { ErrorDetail, SotwRequest, DeltaRequest } from './xds-requests.js';
import type { DeltaRequest, SotwRequest } from './xds-requests.js';

let deltaType: protobuf.Type | undefined;

export function decodeDeltaRequest(bytes: Buffer): DeltaRequest {
  deltaType ??= envoyType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const m = deltaType.decode(bytes) as unknown as {
    node?: DecodedNode; typeUrl?: string; resourceNamesSubscribe?: string[]; resourceNamesUnsubscribe?: string[];
    initialResourceVersions?: Record<string, string>; responseNonce?: string; errorDetail?: { code?: number; message?: string };
  };
  return {
    node: toNode(m.node),
    typeUrl: m.typeUrl ?? '',
    subscribe: m.resourceNamesSubscribe ?? [],
    unsubscribe: m.resourceNamesUnsubscribe ?? [],
    initialResourceVersions: m.initialResourceVersions ?? {},
    responseNonce: m.responseNonce ?? '',
    errorDetail: toErrorDetail(m.errorDetail),
  };
}

function header(fields: ReadonlyArray<readonly [number, string]>, controlPlane: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [field, value] of fields) if (value !== '') w.uint32((field << 3) | 2).string(value);
  return concat([w.finish(), controlPlane]);
}

function concat(parts: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const p of parts) total += p.length;
  return Buffer.concat(parts as Uint8Array[], total);
}

/** ControlPlane{identifier}, encoded once; `fieldNumber` differs between the two response messages. */
export function encodeControlPlane(fieldNumber: number, identifier: string): Uint8Array {
  const inner = protobuf.Writer.create().uint32((1 << 3) | 2).string(identifier).finish();
  return protobuf.Writer.create().uint32((fieldNumber << 3) | 2).bytes(inner).finish();
}

export function encodeSotwResponse(
  typeUrl: string,
  versionInfo: string,
  nonce: string,
  resources: Iterable<EncodedResource>,
  controlPlane: Uint8Array,
): Buffer {
  const parts: Uint8Array[] = [header([[1, versionInfo], [4, typeUrl], [5, nonce]], controlPlane)];
  for (const r of resources) parts.push(r.sotwFrame);
  return concat(parts);
}

export function encodeDeltaResponse(
  typeUrl: string,
  systemVersionInfo: string,
  nonce: string,
  resources: Iterable<EncodedResource>,
  removed: Iterable<string>,
  controlPlane: Uint8Array,
): Buffer {
  const parts: Uint8Array[] = [header([[1, systemVersionInfo], [4, typeUrl], [5, nonce]], controlPlane)];
  for (const r of resources) parts.push(r.deltaFrame);
  const w = protobuf.Writer.create();
  for (const name of removed) w.uint32((6 << 3) | 2).string(name);
  parts.push(w.finish());
  return concat(parts);
}

/** Room for a response's header fields and their tags and lengths, beside the strings themselves. */
const HEADER_OVERHEAD = 16;

/** A SotW response to encode later; its size is known now (near enough for the send budget). */
export function deferredSotwResponse(
  typeUrl: string,
  versionInfo: string,
  nonce: string,
  resources: readonly EncodedResource[],
  controlPlane: Uint8Array,
): OutboundResponse {
  let size = typeUrl.length + versionInfo.length + nonce.length + controlPlane.length + HEADER_OVERHEAD;
  for (const r of resources) size += r.sotwFrame.length;
  return { size, encode: () => encodeSotwResponse(typeUrl, versionInfo, nonce, resources, controlPlane) };
}

/** A Delta response to encode later; its size is known now (near enough for the send budget). */
export function deferredDeltaResponse(
  typeUrl: string,
  systemVersionInfo: string,
  nonce: string,
  resources: readonly EncodedResource[],
  removed: readonly string[],
  controlPlane: Uint8Array,
): OutboundResponse {
  let size = typeUrl.length + systemVersionInfo.length + nonce.length + controlPlane.length + HEADER_OVERHEAD;
  for (const r of resources) size += r.deltaFrame.length;
  for (const name of removed) size += name.length + 3;
  return { size, encode: () => encodeDeltaResponse(typeUrl, systemVersionInfo, nonce, resources, removed, controlPlane) };
}

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

const passThrough = (b: Buffer): Buffer => b;

/** The ADS service definition with our own (de)serializers: requests decoded, responses already bytes. */
export const adsServiceDefinition = {
  StreamAggregatedResources: {
    path: `${SERVICE}/StreamAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: passThrough,
    requestDeserialize: decodeSotwRequest,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
  DeltaAggregatedResources: {
    path: `${SERVICE}/DeltaAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: passThrough,
    requestDeserialize: decodeDeltaRequest,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
} as const;

const SECRET_SERVICE = '/envoy.service.secret.v3.SecretDiscoveryService';

/**
 * Envoy's standalone SDS service: the same messages as ADS, used by an
 * Envoy whose sds_config names a gRPC cluster instead of ADS.
 */
export const secretServiceDefinition = {
  StreamSecrets: { ...adsServiceDefinition.StreamAggregatedResources, path: `${SECRET_SERVICE}/StreamSecrets` },
  DeltaSecrets: { ...adsServiceDefinition.DeltaAggregatedResources, path: `${SECRET_SERVICE}/DeltaSecrets` },
} as const;

export type SotwCall = grpc.ServerDuplexStream<SotwRequest, Buffer>;
export type DeltaCall = grpc.ServerDuplexStream<DeltaRequest, Buffer>;
