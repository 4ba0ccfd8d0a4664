/**
 * CreateCertificate's answer has istiod's shape (security/pkg/server/ca/
 * server.go): the leaf and the certificates above it one per element, then
 * the whole root bundle as the last element, which pilot-agent reads as its
 * trust bundle. During a root rotation that bundle must already hold the
 * introduced root while leaves are still signed by the old one.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../src/ca/certificate-authority.js';
import { createSelfSignedRoot } from '../../../src/ca/self-signed-root.js';
import { responseChain } from '../../../src/ca/server/certificate-service.js';
import { opensslCsr, opensslVerify, Scratch } from '../openssl-tools.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const pemsIn = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('CreateCertificate response chain', () => {
  it('ends with the whole trust bundle, the introduced root included, while the old root still signs', async () => {
    const oldRoot = await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' });
    const newRoot = await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' });
    const ca = await CertificateAuthority.fromKeyMaterial(oldRoot, { trustDomain: 'cluster.local' });
    await ca.introduceRoot(newRoot);

    const { csrPem } = opensslCsr(scratch, 'ec');
    const issued = await ca.signCsr(csrPem, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'web' });
    const chain = responseChain(issued.certChainPem, ca.trustBundlePem());

    expect(chain).toHaveLength(2);
    for (const element of chain) expect(element.endsWith('\n')).toBe(true);
    const leaf = chain[0]!;
    expect(new X509Certificate(leaf).subjectAltName).toBe('URI:spiffe://cluster.local/ns/shop/sa/web');
    const bundle = pemsIn(chain[1]!);
    expect(new Set(bundle.map(fingerprint))).toEqual(new Set([oldRoot.signingCertPem, newRoot.signingCertPem].map(fingerprint)));
    // The leaf verifies against the bundle as pilot-agent would use it.
    expect(opensslVerify(scratch, { leafPem: leaf, bundlePem: bundle })).toMatch(/OK/);
    expect(new X509Certificate(leaf).checkIssued(new X509Certificate(oldRoot.signingCertPem))).toBe(true);
  });

  it('keeps intermediates one per element below the bundle (a plugged-in CA)', () => {
    const [leaf, intermediate, root] = ['L', 'I', 'R'].map((x) => `-----BEGIN CERTIFICATE-----\n${x}\n-----END CERTIFICATE-----`);
    expect(responseChain([leaf!, intermediate!, root!], [root!, 'OTHER'])).toEqual([`${leaf}\n`, `${intermediate}\n`, `${root}\nOTHER\n`]);
  });
});
