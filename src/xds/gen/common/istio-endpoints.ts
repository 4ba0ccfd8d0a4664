/** Workload endpoints as the addresses Istio puts in a load assignment, metadata included. */
import type { MeshService, WorkloadEndpoint } from '../../../model/types.js';
import { istioEndpointMetadata } from './endpoint-metadata.js';
import { endpointAddressOf, type EndpointAddress } from './locality-lb-endpoints.js';

export function istioEndpointAddress(endpoint: WorkloadEndpoint, service: MeshService): EndpointAddress {
  return { ...endpointAddressOf(endpoint), metadata: istioEndpointMetadata(endpoint, service) };
}
