/** MeshConfig meshMTLS and tlsDefaults, read as istiod reads them (Istio's MeshConfig.TLSConfig, ValidateMeshTLSConfig). */
import { describe, expect, it } from 'vitest';
import { parseMeshConfig } from '../../src/model/mesh-config.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';

const CONFIG_MAP = { source: 'k8s:ConfigMap/istio-system/istio', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio', pathPrefix: 'data.mesh' };
const parse = (yaml: string) => parseMeshConfig(yaml, DEFAULT_MESH_CONFIG, CONFIG_MAP);

describe('meshMTLS and tlsDefaults', () => {
  it('reads the minimum version by name or number, and the cipher suites and curves as given', () => {
    const result = parse(
      [
        'meshMTLS:',
        '  minProtocolVersion: TLSV1_3',
        '  cipherSuites: [ECDHE-ECDSA-AES256-GCM-SHA384]',
        'tlsDefaults:',
        '  minProtocolVersion: 1',
        '  ecdhCurves: [P-256, P-384]',
        '  cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]',
      ].join('\n'),
    );
    expect(result.errors).toBeUndefined();
    expect(result.mesh?.meshMTLS).toEqual({ minProtocolVersion: 'TLSV1_3', cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'] });
    expect(result.mesh?.tlsDefaults).toEqual({ minProtocolVersion: 'TLSV1_2', ecdhCurves: ['P-256', 'P-384'], cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256'] });
  });

  it("accepts the proto's snake_case names and leaves TLS_AUTO out (Istio's default, TLS 1.2)", () => {
    const result = parse(['mesh_mTLS:', '  min_protocol_version: TLS_AUTO', 'tls_defaults:', '  cipher_suites: [AES128-GCM-SHA256]'].join('\n'));
    expect(result.errors).toBeUndefined();
    expect(result.mesh?.meshMTLS).toEqual({});
    expect(result.mesh?.tlsDefaults).toEqual({ cipherSuites: ['AES128-GCM-SHA256'] });
  });

  it('refuses ECDH curves for mesh mTLS, as istiod does, naming the field', () => {
    const result = parse(['meshMTLS:', '  ecdhCurves: [P-256]'].join('\n'));
    expect(result.mesh).toBeUndefined();
    expect(result.errors).toEqual([expect.objectContaining({ path: 'data.mesh.meshMTLS.ecdhCurves', message: 'mesh TLS does not support ECDH curves configuration' })]);
  });

  it('refuses an unknown version and a list that is not of strings, naming each field', () => {
    const result = parse(['tlsDefaults:', '  minProtocolVersion: TLSV1_1', '  cipherSuites: AES128-GCM-SHA256', 'meshMTLS: yes'].join('\n'));
    expect(result.errors).toEqual([
      expect.objectContaining({ path: 'data.mesh.tlsDefaults.minProtocolVersion', message: 'must be TLS_AUTO, TLSV1_2 or TLSV1_3 (found "TLSV1_1")' }),
      expect.objectContaining({ path: 'data.mesh.tlsDefaults.cipherSuites', message: 'must be a list of non-empty strings (found "AES128-GCM-SHA256")' }),
      expect.objectContaining({ path: 'data.mesh.meshMTLS', message: 'must be a map (found "yes")' }),
    ]);
  });

  it('reports fields TLSConfig does not have as ignored', () => {
    const result = parse(['tlsDefaults:', '  maxProtocolVersion: TLSV1_3'].join('\n'));
    expect(result.errors).toBeUndefined();
    expect(result.ignored).toEqual(['tlsDefaults.maxProtocolVersion']);
  });
});
