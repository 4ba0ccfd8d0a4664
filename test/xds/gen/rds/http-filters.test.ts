/**
 * The HTTP filter chain of every HttpConnectionManager: Istio's listener
 * builder puts fault and CORS before the router for Envoy; its grpcgen gives
 * proxyless gRPC only fault and router (pilot/pkg/networking/grpcgen/lds.go).
 */
import { describe, expect, it } from 'vitest';
import { rdsHttpConnectionManager } from '../../../../src/xds/gen/lds/http-connection-manager.js';
import { envoyType } from '../../../../src/xds/proto/envoy-protos.js';
import { envoyValidator } from '../../../../src/xds/validate/envoy-validator.js';
import { canonical, roundTrip } from '../helpers/proto-round-trip.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const FAULT = { name: 'envoy.filters.http.fault', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' } };
const CORS = { name: 'envoy.filters.http.cors', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' } };
const ROUTER = { name: 'envoy.filters.http.router', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };

describe('HTTP filter chain', () => {
  it('is fault, CORS, router for Envoy', () => {
    expect(rdsHttpConnectionManager('9080', 'outbound_0.0.0.0_9080', 'envoy')['httpFilters']).toEqual([FAULT, CORS, ROUTER]);
  });

  it('is fault, router for proxyless gRPC', () => {
    expect(rdsHttpConnectionManager('reviews:9080', 'reviews:9080', 'proxyless')['httpFilters']).toEqual([FAULT, ROUTER]);
  });

  it('passes validation and survives the protos, for both clients', () => {
    for (const client of ['envoy', 'proxyless'] as const) {
      const { '@type': _type, ...hcm } = rdsHttpConnectionManager('9080', 'outbound_0.0.0.0_9080', client);
      const type = envoyType(HCM.slice(HCM.indexOf('/') + 1));
      expect(envoyValidator().validateEncoded(type, type.encode(type.fromObject(hcm)).finish())).toEqual([]);
      expect(canonical(roundTrip(HCM, hcm))).toEqual(canonical(hcm));
    }
  });
});
