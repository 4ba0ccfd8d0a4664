/** The parts of xDS requests that both decoders share: the node and error_detail. */
import type { XdsNode } from '../../model/proxy.js';
import { structToJson, type DecodedStruct } from './struct-json.js';
import type { ErrorDetail } from './xds-requests.js';

export interface DecodedNode {
  id?: string;
  cluster?: string;
  metadata?: DecodedStruct;
  userAgentName?: string;
  locality?: { region?: string; zone?: string; subZone?: string };
}

export function toNode(node: DecodedNode | undefined | null): XdsNode | undefined {
  if (!node) return undefined;
  return {
    id: node.id || undefined,
    cluster: node.cluster || undefined,
    metadata: structToJson(node.metadata),
    userAgentName: node.userAgentName || undefined,
    locality: node.locality ?? undefined,
  };
}

export function toErrorDetail(status: { code?: number; message?: string } | undefined | null): ErrorDetail | undefined {
  // A NACK is a request carrying error_detail; its presence is the signal, whatever its code.
  if (!status) return undefined;
  return { code: status.code ?? 0, message: status.message ?? '' };
}

