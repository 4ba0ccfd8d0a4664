/**
 * The ADS service on the wire. Requests are decoded with protobufjs into
 * small plain objects; responses are assembled from resources that were
 * framed once in the cache (see encoded-resource.ts), so a response costs a
 * header and a memory copy, not an encode.
 */
import protobuf from 'protobufjs';
import type * as grpc from '@grpc/grpc-js';
import { envoyType } from '../proto/envoy-protos.js';
import type { XdsNode } from '../../model/proxy.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import { structToJson, type DecodedStruct } from './struct-json.js';

export interface ErrorDetail {
  readonly code: number;
  readonly message: string;
}

export interface SotwRequest {
  readonly versionInfo: string;
  readonly node?: XdsNode;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

export interface DeltaRequest {
  readonly node?: XdsNode;
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  readonly initialResourceVersions: Readonly<Record<string, string>>;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

interface DecodedNode {
  id?: string;
  cluster?: string;
  metadata?: DecodedStruct;
  userAgentName?: string;
  locality?: { region?: string; zone?: string; subZone?: string };
}

function toNode(node: DecodedNode | undefined | null): XdsNode | undefined {
  if (!node) return undefined;
  return {
    id: node.id || undefined,
    cluster: node.cluster || undefined,
    metadata: structToJson(node.metadata),
    userAgentName: node.userAgentName || undefined,
    locality: node.locality ?? undefined,
  };
}

function toErrorDetail(status: { code?: number; message?: string } | undefined | null): ErrorDetail | undefined {
  // A NACK is a request carrying error_detail; its presence is the signal, whatever its code.
  if (!status) return undefined;
  return { code: status.code ?? 0, message: status.message ?? '' };
}

let sotwType: protobuf.Type | undefined;
let deltaType: protobuf.Type | undefined;

export function decodeSotwRequest(bytes: Buffer): SotwRequest {
  sotwType ??= envoyType('envoy.service.discovery.v3.DiscoveryRequest');
  const m = sotwType.decode(bytes) as unknown as {
    versionInfo?: string; node?: DecodedNode; resourceNames?: string[]; typeUrl?: string;
    responseNonce?: string; errorDetail?: { code?: number; message?: string };
  };
  return {
    versionInfo: m.versionInfo ?? '',
    node: toNode(m.node),
    resourceNames: m.resourceNames ?? [],
    typeUrl: m.typeUrl ?? '',
    responseNonce: m.responseNonce ?? '',
    errorDetail: toErrorDetail(m.errorDetail),
  };
}

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

export type SotwCall = grpc.ServerDuplexStream<SotwRequest, Buffer>;
export type DeltaCall = grpc.ServerDuplexStream<DeltaRequest, Buffer>;
