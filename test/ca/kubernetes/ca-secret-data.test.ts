/**
 * The CA Secrets' layouts without an apiserver: what istiod's BuildSecret
 * writes into istio-ca-secret and what its loaders (ca.go
 * loadSelfSignedCaSecret, istio_ca.go detectSigningCABundleAndCRL and
 * checkCABundleCompleteness) read from it and from cacerts. Certificates
 * come from the openssl CLI, and openssl checks that keys match them.
 */
import { describe, expect, it } from 'vitest';
import { caKeyMaterial } from '../../../src/ca/ca-key-material.js';
import {
  pluggedInFromSecret,
  selfSignedFromSecret,
  selfSignedSecretData,
  selfSignedStateFromSecret,
  selfSignedStateSecretData,
  type SecretText,
} from '../../../src/ca/kubernetes/ca-secret-data.js';
import { opensslCertPublicKey, opensslFingerprints, opensslIntermediate, opensslKeyPublicKey, opensslRoot } from './fixtures.js';

const WHERE = 'Secret istio-system/cacerts';
const root = opensslRoot('root.example', 'rsa-pkcs1');
const middle = opensslIntermediate('middle.example', root, 'rsa-pkcs8');
const signing = opensslIntermediate('signing.example', middle, 'ec-sec1');
const other = opensslRoot('other.example', 'ec-pkcs8');

function decoded(data: Record<string, string>): SecretText {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

function expectNoKeyMaterial(message: string, ...keys: string[]): void {
  expect(message).not.toMatch(/PRIVATE KEY/);
  for (const key of keys) {
    // Any 40-character run of the key's base64 body would be a leak.
    const body = key.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    for (let i = 0; i + 40 <= body.length; i += 40) expect(message).not.toContain(body.slice(i, i + 40));
  }
}

describe('istio-ca-secret (self-signed root)', () => {
  it('is written with the keys istiod writes: ca-cert.pem = root-cert.pem = the root, ca-key.pem, cert-chain.pem and key.pem empty', () => {
    const m = caKeyMaterial({ signingCertPem: root.certPem, signingKeyPem: root.keyPem, intermediatesPem: [], rootCertsPem: [root.certPem], source: 'self-signed' });
    const text = decoded(selfSignedSecretData(m, 'Secret istio-system/istio-ca-secret'));
    expect(Object.keys(text).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'key.pem', 'root-cert.pem']);
    expect(opensslFingerprints(text['ca-cert.pem']!)).toEqual(opensslFingerprints(root.certPem));
    expect(opensslFingerprints(text['root-cert.pem']!)).toEqual(opensslFingerprints(root.certPem));
    expect(opensslKeyPublicKey(text['ca-key.pem']!)).toBe(opensslCertPublicKey(root.certPem));
    expect(text['cert-chain.pem']).toBe('');
    expect(text['key.pem']).toBe('');
  });

  it('refuses plugged-in material: only a self-signed root belongs there', () => {
    const m = caKeyMaterial({ signingCertPem: signing.certPem, signingKeyPem: signing.keyPem, intermediatesPem: [middle.certPem], rootCertsPem: [root.certPem], source: 'plugged-in' });
    expect(() => selfSignedSecretData(m, 'Secret istio-system/istio-ca-secret')).toThrow(/istio-system\/istio-ca-secret.*self-signed/);
  });

  it('reads an istiod-written Secret with a PKCS#1 key as PKCS#8, the current root first and an older root after it', () => {
    const m = selfSignedFromSecret({ 'ca-cert.pem': root.certPem, 'ca-key.pem': root.keyPem, 'root-cert.pem': other.certPem, 'cert-chain.pem': '', 'key.pem': '' }, 'Secret istio-system/istio-ca-secret');
    expect(root.keyPem).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(m.signingKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(opensslKeyPublicKey(m.signingKeyPem)).toBe(opensslCertPublicKey(root.certPem));
    expect(opensslFingerprints(m.signingCertPem)).toEqual(opensslFingerprints(root.certPem));
    expect(m.rootCertsPem.flatMap(opensslFingerprints)).toEqual([...opensslFingerprints(root.certPem), ...opensslFingerprints(other.certPem)]);
    expect(m.intermediatesPem).toEqual([]);
    expect(m.source).toBe('self-signed');
    expect(JSON.stringify(m)).not.toMatch(/PRIVATE KEY/);
  });

  it('without ca-key.pem is an error naming the Secret and the key', () => {
    expect(() => selfSignedFromSecret({ 'ca-cert.pem': root.certPem }, 'Secret istio-system/istio-ca-secret')).toThrow(/Secret istio-system\/istio-ca-secret has no ca-key\.pem/);
  });
});

describe('cacerts (plugged-in CA)', () => {
  it("in istiod's layout: the signing cert is ca-cert.pem, intermediates are what cert-chain.pem holds between it and the root", () => {
    const m = pluggedInFromSecret(
      {
        'ca-cert.pem': signing.certPem,
        'ca-key.pem': signing.keyPem,
        'cert-chain.pem': signing.certPem + middle.certPem + root.certPem,
        'root-cert.pem': root.certPem,
      },
      WHERE,
    );
    expect(m).toBeDefined();
    expect(opensslFingerprints(m!.signingCertPem)).toEqual(opensslFingerprints(signing.certPem));
    expect(m!.intermediatesPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(middle.certPem));
    expect(m!.rootCertsPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(root.certPem));
    expect(opensslKeyPublicKey(m!.signingKeyPem)).toBe(opensslCertPublicKey(signing.certPem));
    expect(m!.signingKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(m!.source).toBe('plugged-in');
  });

  it('as a kubernetes.io/tls Secret: tls.crt (signing cert, then its chain), tls.key, ca.crt', () => {
    const m = pluggedInFromSecret({ 'tls.crt': signing.certPem + middle.certPem, 'tls.key': signing.keyPem, 'ca.crt': root.certPem }, WHERE);
    expect(opensslFingerprints(m!.signingCertPem)).toEqual(opensslFingerprints(signing.certPem));
    expect(m!.intermediatesPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(middle.certPem));
    expect(m!.rootCertsPem.flatMap(opensslFingerprints)).toEqual(opensslFingerprints(root.certPem));
  });

  it('with none of the CA keys is no plugged-in CA (istiod then uses its self-signed root)', () => {
    expect(pluggedInFromSecret({}, WHERE)).toBeUndefined();
    expect(pluggedInFromSecret({ 'unrelated.txt': 'x' }, WHERE)).toBeUndefined();
  });

  it('with some keys missing is an error naming the Secret and each missing key, and no key content', () => {
    let message = '';
    try {
      pluggedInFromSecret({ 'ca-cert.pem': signing.certPem, 'ca-key.pem': signing.keyPem }, WHERE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('istio-system/cacerts');
    expect(message).toContain('cert-chain.pem');
    expect(message).toContain('root-cert.pem');
    expectNoKeyMaterial(message, signing.keyPem);
  });

  it('with an unreadable key is an error naming the key, not quoting it', () => {
    const garbage = `-----BEGIN PRIVATE KEY-----\n${Buffer.from('x'.repeat(120)).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    let message = '';
    try {
      pluggedInFromSecret({ 'ca-cert.pem': signing.certPem, 'ca-key.pem': garbage, 'cert-chain.pem': '', 'root-cert.pem': root.certPem }, WHERE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('ca-key.pem');
    expect(message).toContain('istio-system/cacerts');
    expectNoKeyMaterial(message, garbage);
  });

  it("with another certificate's key is an error saying they do not match", () => {
    let message = '';
    try {
      pluggedInFromSecret({ 'ca-cert.pem': signing.certPem, 'ca-key.pem': other.keyPem, 'cert-chain.pem': '', 'root-cert.pem': root.certPem }, WHERE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/istio-system\/cacerts: the private key in ca-key\.pem does not match the certificate in ca-cert\.pem/);
    expectNoKeyMaterial(message, other.keyPem);
  });

  it('with no certificate in ca-cert.pem is an error naming the key', () => {
    expect(() => pluggedInFromSecret({ 'ca-cert.pem': 'no pem here', 'ca-key.pem': signing.keyPem, 'cert-chain.pem': '', 'root-cert.pem': root.certPem }, WHERE)).toThrow(
      /istio-system\/cacerts: ca-cert\.pem holds no PEM certificate/,
    );
  });

  it('with a signing certificate that is not a CA is an error saying it cannot sign', () => {
    const leaf = opensslIntermediate('leaf.example', root, 'ec-pkcs8', true);
    expect(() => pluggedInFromSecret({ 'ca-cert.pem': leaf.certPem, 'ca-key.pem': leaf.keyPem, 'cert-chain.pem': '', 'root-cert.pem': root.certPem }, WHERE)).toThrow(
      /istio-system\/cacerts: the certificate in ca-cert\.pem is not a CA certificate/,
    );
  });
});

describe('istio-ca-secret during a root rotation (tsiod\'s keys)', () => {
  const SELF = 'Secret istio-system/istio-ca-secret';
  const next = opensslRoot('cluster.local', 'ec-pkcs8');
  const current = opensslRoot('cluster.local', 'ec-sec1');
  const rotation = '{"phase":"introduced","introducedAt":"2030-01-01T00:00:00Z","activateAt":"2030-01-02T00:00:00Z"}';
  const introducedSecret = { 'ca-cert.pem': current.certPem, 'ca-key.pem': current.keyPem, 'root-cert.pem': next.certPem + current.certPem, 'next-ca-cert.pem': next.certPem, 'next-ca-key.pem': next.keyPem, 'root-rotation.json': rotation };

  it('reads the bundle in root-cert.pem\'s order though ca-cert.pem\'s root is not first, and the root waiting with its key', () => {
    const state = selfSignedStateFromSecret(introducedSecret, SELF);
    expect(state.active.rootCertsPem.flatMap(opensslFingerprints)).toEqual([...opensslFingerprints(next.certPem), ...opensslFingerprints(current.certPem)]);
    expect(opensslFingerprints(state.active.signingCertPem)).toEqual(opensslFingerprints(current.certPem));
    expect(opensslKeyPublicKey(state.introduced!.signingKeyPem)).toBe(opensslCertPublicKey(next.certPem));
    expect(state.rotation).toEqual({ phase: 'introduced', introducedAt: new Date('2030-01-01T00:00:00Z'), activateAt: new Date('2030-01-02T00:00:00Z') });
    // Written back, it reads the same; keys of others are kept, tsiod's dropped when the rotation ends.
    const data = decoded(selfSignedStateSecretData(state, SELF, { 'operator-note': Buffer.from('kept').toString('base64') }));
    expect(selfSignedStateFromSecret(data, SELF).active.rootCertsPem.flatMap(opensslFingerprints)).toEqual(state.active.rootCertsPem.flatMap(opensslFingerprints));
    expect(data['operator-note']).toBe('kept');
    const ended = decoded(selfSignedStateSecretData({ active: state.active }, SELF, selfSignedStateSecretData(state, SELF)));
    expect(Object.keys(ended).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'key.pem', 'root-cert.pem']);
  });

  it('refuses, naming the Secret and key and quoting no key, a half-written rotation', () => {
    const { 'next-ca-key.pem': _key, ...noKey } = introducedSecret;
    const message = (text: SecretText): string => {
      try {
        selfSignedStateFromSecret(text, SELF);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(message(noKey)).toMatch(/istio-system\/istio-ca-secret has no next-ca-key\.pem/);
    expect(message({ ...introducedSecret, 'next-ca-key.pem': current.keyPem })).toMatch(/the private key in next-ca-key\.pem does not match the certificate in next-ca-cert\.pem/);
    expect(message({ ...introducedSecret, 'root-cert.pem': current.certPem })).toMatch(/next-ca-cert\.pem is not in the trust bundle/);
    expect(message({ ...introducedSecret, 'root-rotation.json': '{"phase":"later"}' })).toMatch(/key root-rotation\.json: phase must be/);
    expect(message({ ...introducedSecret, 'root-rotation.json': '' })).toMatch(/rotation is not in phase "introduced"/);
    for (const text of [message(noKey), message({ ...introducedSecret, 'next-ca-key.pem': current.keyPem })]) expectNoKeyMaterial(text, current.keyPem, next.keyPem);
  });
});
