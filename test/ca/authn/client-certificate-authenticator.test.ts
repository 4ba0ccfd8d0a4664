import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../../src/ca/authn/authenticator.js';
import { ClientCertificateAuthenticator } from '../../../src/ca/authn/client-certificate-authenticator.js';
import { opensslCa, opensslClientCertificate, type OpensslCertificate } from '../server/openssl.js';

const der = (pem: string): Buffer => Buffer.from(new X509Certificate(pem).raw);

describe('ClientCertificateAuthenticator', () => {
  const authenticator = new ClientCertificateAuthenticator({ trustDomain: 'cluster.local' });
  let issuer: OpensslCertificate;
  const judge = async (san: string): Promise<unknown> => {
    const cert = await opensslClientCertificate(issuer, san);
    return authenticator.authenticate({ peer: 'p', peerCertificateDer: der(cert.certPem) }).catch((e: unknown) => e);
  };

  beforeAll(async () => {
    issuer = await opensslCa('/O=cluster.local');
  });

  it('does not judge a call without a verified certificate', async () => {
    expect(await authenticator.authenticate({ peer: 'p', bearerToken: 't' })).toBeUndefined();
  });

  it('takes the identity from the SPIFFE URI SAN of our trust domain', async () => {
    expect(await judge('URI:spiffe://cluster.local/ns/ns-a/sa/sa-a,DNS:ignored.example')).toEqual({ namespace: 'ns-a', serviceAccount: 'sa-a', via: 'client-certificate' });
  });

  it.each([
    ['another trust domain', 'URI:spiffe://other.domain/ns/ns-a/sa/sa-a', 'untrusted-certificate', /trust domain other\.domain/],
    ['no SPIFFE URI', 'DNS:workload.example', 'untrusted-certificate', /no SPIFFE URI/],
    ['two SPIFFE URIs', 'URI:spiffe://cluster.local/ns/a/sa/b,URI:spiffe://cluster.local/ns/c/sa/d', 'untrusted-certificate', /more than one/],
    ['a SPIFFE URI not of Istio\'s form', 'URI:spiffe://cluster.local/workload/x', 'not-a-service-account', /ns\/<namespace>\/sa/],
  ])('refuses %s', async (_name, san, reason, message) => {
    const error = await judge(san);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).reason).toBe(reason);
    expect((error as AuthenticationError).message).toMatch(message);
  });

  it('refuses a CA certificate, and bytes that are not a certificate', async () => {
    await expect(authenticator.authenticate({ peer: 'p', peerCertificateDer: der(issuer.certPem) })).rejects.toThrow(/CA certificate/);
    await expect(authenticator.authenticate({ peer: 'p', peerCertificateDer: Buffer.from('not der') })).rejects.toThrow(/could not be read/);
  });
});
