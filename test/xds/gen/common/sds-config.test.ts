/**
 * The SdsSecretConfigs tsiod's TLS contexts name secrets with. The expected
 * shapes are Istio's, transcribed from its source into Envoy's JSON field
 * names: defaultSDSConfig/rootSDSConfig in pkg/model/authentication.go for
 * a proxy behind pilot-agent, SDSAdsConfig in
 * pilot/pkg/security/model/authentication.go for credentialName secrets.
 * Each must also pass Envoy's validate rules and keep its explicit 0s
 * initial_fetch_timeout through encoding: a zero Duration that fell off the
 * wire would leave Envoy its 15 s default, and listeners would warm without
 * their certificate.
 */
import { describe, expect, it } from 'vitest';
import { envoyType } from '../../../../src/xds/proto/envoy-protos.js';
import { credentialSecretConfig, workloadSecretConfig, workloadSecretSourceOf } from '../../../../src/xds/gen/common/sds-config.js';
import { proxy } from '../helpers/mesh-builder.js';
import { envoyViolations } from '../../validate/support/validate-message.js';
import { ISTIO_AGENT_SDS_SOURCE, ISTIO_SDS_ADS_CONFIG } from '../helpers/istio-sds-sources.js';

const SDS_SECRET_CONFIG = 'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig';



/** Encodes as tsiod does and decodes again, as Envoy would read it. */
function roundTrip(config: Record<string, unknown>): Record<string, unknown> {
  const type = envoyType(SDS_SECRET_CONFIG);
  return type.toObject(type.decode(type.encode(type.fromObject(config)).finish()), { enums: String, longs: Number }) as Record<string, unknown>;
}

function sdsConfigOf(decoded: Record<string, unknown>): Record<string, unknown> {
  return decoded['sdsConfig'] as Record<string, unknown>;
}

/** A Duration present on the wire (Envoy's has_initial_fetch_timeout) and zero: Envoy waits without a deadline. */
function expectPresentZeroDuration(value: unknown): void {
  expect(value).toBeTypeOf('object');
  const duration = value as { seconds?: number; nanos?: number };
  expect(duration.seconds ?? 0).toBe(0);
  expect(duration.nanos ?? 0).toBe(0);
}

describe('SDS secret configs', () => {
  describe('behind pilot-agent', () => {
    it('names "default" and "ROOTCA" through the agent\'s sds-grpc cluster exactly as Istio does', () => {
      expect(workloadSecretConfig('default', 'sds-grpc')).toEqual({ name: 'default', sdsConfig: ISTIO_AGENT_SDS_SOURCE });
      expect(workloadSecretConfig('ROOTCA', 'sds-grpc')).toEqual({ name: 'ROOTCA', sdsConfig: ISTIO_AGENT_SDS_SOURCE });
    });

    it('passes Envoy validation and keeps the 0s initial fetch timeout on the wire', () => {
      for (const name of ['default', 'ROOTCA'] as const) {
        const config = workloadSecretConfig(name, 'sds-grpc');
        expect(envoyViolations(SDS_SECRET_CONFIG, config)).toEqual([]);
        const decoded = roundTrip(config);
        expect(decoded['name']).toBe(name);
        expectPresentZeroDuration(sdsConfigOf(decoded)['initialFetchTimeout']);
        expect(sdsConfigOf(decoded)['apiConfigSource']).toMatchObject({ apiType: 'GRPC', grpcServices: [{ envoyGrpc: { clusterName: 'sds-grpc' } }] });
      }
    });
  });

  describe('without pilot-agent', () => {
    it('names "default" and "ROOTCA" over ADS, waiting for them as Istio\'s agent configs do', () => {
      for (const name of ['default', 'ROOTCA'] as const) {
        expect(workloadSecretConfig(name, 'ads')).toEqual({ name, sdsConfig: { ...ISTIO_SDS_ADS_CONFIG, initialFetchTimeout: { seconds: 0 } } });
      }
    });

    it('passes Envoy validation and keeps the 0s initial fetch timeout on the wire', () => {
      const config = workloadSecretConfig('default', 'ads');
      expect(envoyViolations(SDS_SECRET_CONFIG, config)).toEqual([]);
      const decoded = sdsConfigOf(roundTrip(config));
      expect(decoded['ads']).toEqual({});
      expectPresentZeroDuration(decoded['initialFetchTimeout']);
    });
  });

  describe('without pilot-agent, on a stream that gets no secrets (plaintext xDS)', () => {
    it('names "default" and "ROOTCA" over ADS with Envoy\'s default fetch timeout, so that nothing waits forever', () => {
      const config = workloadSecretConfig('default', 'ads-unauthenticated');
      expect(config).toEqual({ name: 'default', sdsConfig: ISTIO_SDS_ADS_CONFIG });
      expect(sdsConfigOf(roundTrip(config))['initialFetchTimeout']).toBeUndefined();
    });
  });

  describe('the source a proxy gets', () => {
    const identity = { namespace: 'default', serviceAccount: 'web' };
    it('is sds-grpc behind pilot-agent, on any stream', () => {
      expect(workloadSecretSourceOf({ ...proxy('sidecar'), workloadSds: 'sds-grpc' })).toBe('sds-grpc');
      expect(workloadSecretSourceOf({ ...proxy('router'), workloadSds: 'sds-grpc', verifiedIdentity: identity })).toBe('sds-grpc');
    });

    it('is ads for an Envoy on its own only where the stream is authenticated (where SDS serves it)', () => {
      expect(workloadSecretSourceOf({ ...proxy('sidecar'), workloadSds: 'ads', verifiedIdentity: identity })).toBe('ads');
      expect(workloadSecretSourceOf({ ...proxy('sidecar'), workloadSds: 'ads' })).toBe('ads-unauthenticated');
    });
  });

  describe('credentialName secrets', () => {
    it('come over ADS with Envoy\'s default fetch timeout, whatever the proxy (Istio\'s SDSAdsConfig)', () => {
      expect(credentialSecretConfig('kubernetes://bookinfo-cert')).toEqual({ name: 'kubernetes://bookinfo-cert', sdsConfig: ISTIO_SDS_ADS_CONFIG });
      const config = credentialSecretConfig('kubernetes://bookinfo-cert-cacert');
      expect(envoyViolations(SDS_SECRET_CONFIG, config)).toEqual([]);
      expect(sdsConfigOf(roundTrip(config))['initialFetchTimeout']).toBeUndefined();
    });
  });
});
