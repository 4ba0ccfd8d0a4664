/**
 * SDS for gateway credentials, following Istio's pilot/pkg/xds/sds.go: a
 * gateway reads credentialName Secrets of its own namespace only, as
 * "kubernetes://<name>" (key pair) and "kubernetes://<name>-cacert" (CA).
 */
import { describe, expect, it } from 'vitest';
import { sdsGenerator } from '../../../../src/xds/gen/sds/sds-generator.js';
import { SecretType } from '../../../../src/xds/proto/type-urls.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { proxy } from '../helpers/mesh-builder.js';
import { expectValidOnTheWire, gatewayMesh, router, secret } from '../gateway/helpers/gateway-mesh.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

const snap = gatewayMesh({
  secrets: [
    secret('bookinfo-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY, 'ca.crt': CA }),
    secret('generic', 'istio-system', { cert: CERT, key: KEY, cacert: CA }),
    secret('split', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY }),
    secret('split-cacert', 'istio-system', { 'ca.crt': CA }),
    secret('other-ns-cert', 'team-b', { 'tls.crt': CERT, 'tls.key': KEY }),
    secret('unrelated', 'istio-system', { token: 'abc' }),
  ],
});

describe('SDS generator', () => {
  it('serves a kubernetes.io/tls Secret key pair inline as a TlsCertificate', () => {
    const out = generateFor(sdsGenerator, snap, router('istio-system'), ['kubernetes://bookinfo-cert']);
    expect(resourceNamed(out, 'kubernetes://bookinfo-cert')).toEqual({
      name: 'kubernetes://bookinfo-cert',
      tlsCertificate: { certificateChain: { inlineBytes: b64(CERT) }, privateKey: { inlineBytes: b64(KEY) } },
    });
    expectValidOnTheWire(SecretType, out);
  });

  it('reads Istio generic keys (cert, key, cacert) too', () => {
    const out = generateFor(sdsGenerator, snap, router('istio-system'), ['kubernetes://generic', 'kubernetes://generic-cacert']);
    expect(resourceNamed(out, 'kubernetes://generic')['tlsCertificate']).toEqual({
      certificateChain: { inlineBytes: b64(CERT) },
      privateKey: { inlineBytes: b64(KEY) },
    });
    expect(resourceNamed(out, 'kubernetes://generic-cacert')).toEqual({
      name: 'kubernetes://generic-cacert',
      validationContext: { trustedCa: { inlineBytes: b64(CA) } },
    });
    expectValidOnTheWire(SecretType, out);
  });

  it('serves "<name>-cacert" from the Secret of that name, else from the CA keys of "<name>"', () => {
    const out = generateFor(sdsGenerator, snap, router('istio-system'), ['kubernetes://split-cacert', 'kubernetes://bookinfo-cert-cacert']);
    expect(namesOf(out)).toEqual(['kubernetes://bookinfo-cert-cacert', 'kubernetes://split-cacert']);
    expect(resourceNamed(out, 'kubernetes://bookinfo-cert-cacert')['validationContext']).toEqual({ trustedCa: { inlineBytes: b64(CA) } });
    expectValidOnTheWire(SecretType, out);
  });

  it('accepts the explicit "kubernetes://<namespace>/<name>" form for the gateway own namespace', () => {
    expect(namesOf(generateFor(sdsGenerator, snap, router('istio-system'), ['kubernetes://istio-system/bookinfo-cert']))).toEqual([
      'kubernetes://istio-system/bookinfo-cert',
    ]);
  });

  it('never gives a gateway a Secret of another namespace, by either name form', () => {
    expect(generateFor(sdsGenerator, snap, router('istio-system'), ['kubernetes://team-b/other-ns-cert', 'kubernetes://other-ns-cert'])).toEqual([]);
    // The same Secret is served to a gateway in its own namespace.
    expect(namesOf(generateFor(sdsGenerator, snap, router('team-b'), ['kubernetes://other-ns-cert']))).toEqual(['kubernetes://other-ns-cert']);
  });

  it('gives a gateway nothing unless its stream authenticated as the namespace its node claims', () => {
    const names = ['kubernetes://bookinfo-cert'];
    const { verifiedIdentity: _, ...unauthenticated } = router('istio-system');
    expect(generateFor(sdsGenerator, snap, unauthenticated, names)).toEqual([]);
    const claimsAnotherNamespace = { ...router('istio-system'), verifiedIdentity: { namespace: 'team-b', serviceAccount: 'sa' } };
    expect(generateFor(sdsGenerator, snap, claimsAnotherNamespace, names)).toEqual([]);
    expect(namesOf(generateFor(sdsGenerator, snap, router('istio-system'), names))).toEqual(names);
  });

  it('gives sidecars and proxyless clients no credentials at all', () => {
    for (const kind of ['sidecar', 'proxyless'] as const) {
      expect(generateFor(sdsGenerator, snap, proxy(kind, 'istio-system'), ['kubernetes://bookinfo-cert', 'kubernetes://bookinfo-cert-cacert'])).toEqual([]);
    }
  });

  it('lists nothing to a wildcard request, skips missing or non-credential Secrets and other name schemes, and falls back for a doubled "-cacert" as GetCaCert does', () => {
    expect(generateFor(sdsGenerator, snap, router('istio-system'))).toEqual([]);
    const names = ['kubernetes://missing', 'kubernetes://unrelated', 'kubernetes://split-cacert-cacert', 'file-cert:/etc/cert~/etc/key', 'default'];
    expect(namesOf(generateFor(sdsGenerator, snap, router('istio-system'), names))).toEqual(['kubernetes://split-cacert-cacert']);
  });
});
