/**
 * Node metadata off the wire: a google.protobuf.Struct decoded by
 * protobufjs, turned back into the JSON the client wrote. Nested structs
 * matter: pilot-agent (and an xDS server's bootstrap) send LABELS as one.
 */
import { describe, expect, it } from 'vitest';
import { envoyType } from '../../../src/xds/proto/envoy-protos.js';
import { structToJson, type DecodedStruct } from '../../../src/xds/server/struct-json.js';

/** google.protobuf.Value for a JSON value, as a client's library encodes it (written here, not by tsiod). */
function toValue(v: unknown): Record<string, unknown> {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: { fields: Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toValue(x)])) } };
}

function overTheWire(metadata: Record<string, unknown>): DecodedStruct {
  const node = envoyType('envoy.config.core.v3.Node');
  const bytes = node.encode(node.fromObject({ id: 'n', metadata: (toValue(metadata) as { structValue: unknown }).structValue })).finish();
  return (node.decode(bytes) as unknown as { metadata: DecodedStruct }).metadata;
}

describe('structToJson on decoded node metadata', () => {
  it('gives back every kind of value, nested structs and lists included', () => {
    const metadata = {
      NAMESPACE: 'default',
      LABELS: { app: 'echo-server', 'security.istio.io/tlsMode': 'istio' },
      ENVOY_STATUS_PORT: 15021,
      EMPTY_STRING: '',
      ZERO: 0,
      FALSE: false,
      ENABLED: true,
      NOTHING: null,
      LIST: ['a', 1, { b: 'c' }],
    };
    expect(structToJson(overTheWire(metadata))).toEqual(metadata);
  });
});
