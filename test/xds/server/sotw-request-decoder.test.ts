import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { envoyType } from '../../../src/xds/proto/envoy-protos.js';
import { decodeSotwRequest } from '../../../src/xds/server/sotw-request-decoder.js';

const DiscoveryRequest = envoyType('envoy.service.discovery.v3.DiscoveryRequest');
const encode = (obj: Record<string, unknown>): Buffer => Buffer.from(DiscoveryRequest.encode(DiscoveryRequest.fromObject(obj)).finish());

describe('decodeSotwRequest', () => {
  it('decodes every field protobufjs encodes', () => {
    const req = decodeSotwRequest(encode({
      versionInfo: 'v1', typeUrl: 'type.googleapis.com/x', responseNonce: 'n1', resourceNames: ['a', 'b', 'ü'],
      node: { id: 'sidecar~1.2.3.4~p.ns~ns.svc.cluster.local', userAgentName: 'envoy', metadata: { fields: { NAMESPACE: { stringValue: 'ns' } } } },
      errorDetail: { code: 3, message: 'bad' },
    }));
    expect(req.versionInfo).toBe('v1');
    expect(req.typeUrl).toBe('type.googleapis.com/x');
    expect(req.responseNonce).toBe('n1');
    expect(req.resourceNames).toEqual(['a', 'b', 'ü']);
    expect(req.node?.id).toBe('sidecar~1.2.3.4~p.ns~ns.svc.cluster.local');
    expect(req.node?.metadata).toEqual({ NAMESPACE: 'ns' });
    expect(req.errorDetail).toEqual({ code: 3, message: 'bad' });
  });

  it('gives equal name keys exactly for equal name lists', () => {
    const key = (names: string[]): string => decodeSotwRequest(encode({ resourceNames: names, responseNonce: String(Math.random()) })).resourceNamesKey;
    expect(key(['a', 'b'])).toBe(key(['a', 'b']));
    expect(key(['a', 'b'])).not.toBe(key(['b', 'a']));
    expect(key(['a', 'b'])).not.toBe(key(['a', 'bc']));
    expect(key(['ab'])).not.toBe(key(['a', 'b']));
    expect(key([])).toBe('');
  });

  it('reads names split by other fields (an encoder may interleave them)', () => {
    const w = protobuf.Writer.create();
    w.uint32((3 << 3) | 2).string('x');
    w.uint32((4 << 3) | 2).string('type.googleapis.com/t');
    w.uint32((3 << 3) | 2).string('y');
    const req = decodeSotwRequest(Buffer.from(w.finish()));
    expect(req.resourceNames).toEqual(['x', 'y']);
    expect(req.typeUrl).toBe('type.googleapis.com/t');
    const contiguous = decodeSotwRequest(encode({ resourceNames: ['x', 'y'], typeUrl: 'type.googleapis.com/t' }));
    expect(req.resourceNamesKey).toBe(contiguous.resourceNamesKey);
  });

  it('rejects bytes that are not a DiscoveryRequest', () => {
    expect(() => decodeSotwRequest(Buffer.from([0x1a, 0xff, 0xff, 0xff, 0x0f]))).toThrow();
  });
});
