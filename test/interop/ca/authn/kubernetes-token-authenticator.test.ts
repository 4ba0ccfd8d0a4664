/**
 * Kubernetes service-account tokens judged by a real kube-apiserver's
 * TokenReview, directly and through CreateCertificate over TLS: tokens
 * requested with the TokenRequest API for audience istio-ca are accepted as
 * their service account; another audience, a deleted service account, a
 * forged or garbage token are refused UNAUTHENTICATED; an apiserver that
 * cannot be reached is UNAVAILABLE, and every refusal is counted.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import * as grpc from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authenticateCaller, AuthenticationError, type AuthenticationFailure } from '../../../../src/ca/authn/authenticator.js';
import { ClientCertificateAuthenticator } from '../../../../src/ca/authn/client-certificate-authenticator.js';
import { KubernetesTokenAuthenticator } from '../../../../src/ca/authn/kubernetes-token-authenticator.js';
import { startKubeEnv, whenKubeEnvAvailable, type KubeEnv } from '../../../helpers/kube-env.js';
import { startCaTestServer, TRUST_DOMAIN, type CaTestClient, type CaTestServer } from '../../../ca/server/ca-test-server.js';
import { opensslCsr, opensslVerify, type OpensslCsr } from '../../../ca/server/openssl.js';

const NAMESPACE = 'ns-k';

whenKubeEnvAvailable('Kubernetes token authentication', () => {
  describe('Kubernetes token authentication (TokenReview on a real kube-apiserver)', () => {
    let env: KubeEnv;
    let core: CoreV1Api;
    let proxied: KubeConfig;
    let server: CaTestServer;
    let client: CaTestClient;
    let csr: OpensslCsr;

    const requestToken = async (serviceAccount: string, audiences: string[]): Promise<string> => {
      const review = await core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace: NAMESPACE,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences, expirationSeconds: 600 } },
      });
      const token = review.status?.token;
      if (!token) throw new Error('TokenRequest returned no token');
      return token;
    };
    const createServiceAccount = async (name: string): Promise<void> => {
      await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name } } });
    };
    const reason = async (authenticator: KubernetesTokenAuthenticator, bearerToken: string): Promise<AuthenticationFailure> => {
      const error = await authenticateCaller([authenticator], { bearerToken, peer: 'test' }).then(() => undefined, (e: unknown) => e);
      if (!(error instanceof AuthenticationError)) throw new Error(`expected a refusal, got ${String(error)}`);
      return error.reason;
    };
    const failures = (): Promise<number> => server.metric('citadel_server_authentication_failure_count');

    beforeAll(async () => {
      env = await startKubeEnv();
      core = env.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
      await createServiceAccount('sa-k');
      proxied = new KubeConfig();
      proxied.loadFromFile(env.proxiedKubeconfigPath);
      // Through the cuttable proxy, so a test can make the apiserver unreachable.
      server = await startCaTestServer((ca) => [
        new ClientCertificateAuthenticator({ trustDomain: ca.trustDomain }),
        new KubernetesTokenAuthenticator(proxied, { timeoutMs: 5_000 }),
      ]);
      client = server.client();
      csr = await opensslCsr({ subjectAltName: `URI:spiffe://${TRUST_DOMAIN}/ns/kube-system/sa/admin` });
    }, 120_000);

    afterEach(async (context) => {
      await env?.restoreProxy();
      if (context.task.result?.state === 'fail') console.error(`${server?.logLines.join('\n')}\n${env.logs()}`);
    });

    afterAll(async () => {
      await server?.close();
      await env?.stop();
    });

    it('accepts a TokenRequest token for audience istio-ca as its service account', async () => {
      const authenticator = new KubernetesTokenAuthenticator(env.kubeConfig);
      const token = await requestToken('sa-k', ['istio-ca']);
      expect(await authenticateCaller([authenticator], { bearerToken: token, peer: 'test' })).toEqual({ namespace: NAMESPACE, serviceAccount: 'sa-k', via: 'kubernetes-token' });
    });

    it('issues a certificate for that service account over CreateCertificate, whatever the CSR asks', async () => {
      const outcome = await client.createCertificate({ csr: csr.csrPem, token: await requestToken('sa-k', ['istio-ca']) });
      if (!outcome.ok) throw new Error(`CreateCertificate failed: ${grpc.status[outcome.code]} ${outcome.details}`);
      const [leafPem = '', ...rest] = outcome.certChain;
      expect(new X509Certificate(leafPem).subjectAltName).toBe(`URI:spiffe://${TRUST_DOMAIN}/ns/${NAMESPACE}/sa/sa-k`);
      expect(await opensslVerify({ leafPem, intermediatesPem: rest.slice(0, -1), rootPem: rest[rest.length - 1] ?? '' })).toMatch(/: OK/);
    });

    it('refuses a token for another audience: wrong-audience, UNAUTHENTICATED, counted', async () => {
      const token = await requestToken('sa-k', ['some-other-service']);
      expect(await reason(new KubernetesTokenAuthenticator(env.kubeConfig), token)).toBe('wrong-audience');
      const before = await failures();
      const outcome = await client.createCertificate({ csr: csr.csrPem, token });
      expect(outcome.ok ? 'OK' : grpc.status[outcome.code]).toBe('UNAUTHENTICATED');
      expect(await failures()).toBe(before + 1);
    });

    it('refuses the token of a service account deleted since: UNAUTHENTICATED, counted', async () => {
      await createServiceAccount('sa-gone');
      const token = await requestToken('sa-gone', ['istio-ca']);
      // The token is good until its account goes.
      expect(await authenticateCaller([new KubernetesTokenAuthenticator(env.kubeConfig)], { bearerToken: token, peer: 'test' })).toMatchObject({ serviceAccount: 'sa-gone' });
      await core.deleteNamespacedServiceAccount({ name: 'sa-gone', namespace: NAMESPACE });
      // kube-apiserver caches a successful token authentication for a few seconds: wait until the deletion shows.
      const authenticator = new KubernetesTokenAuthenticator(env.kubeConfig);
      const deadline = Date.now() + 60_000;
      while ((await authenticator.authenticate({ bearerToken: token, peer: 'test' }).catch(() => undefined)) !== undefined) {
        if (Date.now() > deadline) throw new Error('the token of a deleted service account is still accepted after 60 s');
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(await reason(authenticator, token)).toBe('invalid-token');
      const before = await failures();
      const outcome = await client.createCertificate({ csr: csr.csrPem, token });
      expect(outcome.ok ? 'OK' : grpc.status[outcome.code]).toBe('UNAUTHENTICATED');
      expect(await failures()).toBe(before + 1);
    });

    it('refuses a forged token (service-account claims signed by another key) and a garbage one', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ 'kubernetes.io': { namespace: NAMESPACE, serviceaccount: { name: 'sa-k' } } })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer('https://kubernetes.default.svc.cluster.local')
        .setAudience('istio-ca')
        .setSubject(`system:serviceaccount:${NAMESPACE}:sa-k`)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      const authenticator = new KubernetesTokenAuthenticator(env.kubeConfig);
      expect(await reason(authenticator, forged)).toBe('invalid-token');
      expect(await reason(authenticator, 'garbage')).toBe('invalid-token');
      const before = await failures();
      for (const token of [forged, 'garbage', 'not a token!']) {
        const outcome = await client.createCertificate({ csr: csr.csrPem, token });
        expect(outcome.ok ? 'OK' : grpc.status[outcome.code], token.slice(0, 20)).toBe('UNAUTHENTICATED');
      }
      expect(await failures()).toBe(before + 3);
    });

    it('answers UNAVAILABLE while the apiserver cannot be reached, and recovers when it can', async () => {
      const token = await requestToken('sa-k', ['istio-ca']);
      await env.cutProxy();
      expect(await reason(new KubernetesTokenAuthenticator(proxied, { timeoutMs: 5_000 }), token)).toBe('unavailable');
      const before = await failures();
      const refused = await client.createCertificate({ csr: csr.csrPem, token });
      expect(refused.ok ? 'OK' : grpc.status[refused.code]).toBe('UNAVAILABLE');
      expect(refused.ok ? '' : refused.details).toMatch(/retry/);
      expect(await failures()).toBe(before + 1);
      await env.restoreProxy();
      const accepted = await client.createCertificate({ csr: csr.csrPem, token });
      expect(accepted.ok ? 'OK' : `${grpc.status[accepted.code]} ${accepted.details}`).toBe('OK');
    });

    it('keeps tokens out of its logs', () => {
      expect(server.logLines.length).toBeGreaterThan(0);
      for (const line of server.logLines) {
        expect(line).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}/);
        expect(line).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      }
    });
  });
});
