/**
 * The workload's own secrets over SDS, shaped as Istio's agent shapes them
 * (security/pkg/nodeagent/sds/sdsservice.go toEnvoySecret): "default" is a
 * TlsCertificate with certificate_chain and private_key inline, "ROOTCA" a
 * CertificateValidationContext with trusted_ca inline. Each identity gets
 * its own "default" only, and a secret push regenerates just what changed.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import { endpointPush, fullPush, identityKey, secretPush } from '../../../../src/push/push-request.js';
import { GenerationCache } from '../../../../src/xds/cache/generation-cache.js';
import { createGenerators } from '../../../../src/xds/gen/index.js';
import { createSdsGenerator, sdsGenerator } from '../../../../src/xds/gen/sds/sds-generator.js';
import type { WorkloadSecret, WorkloadSecretProvider } from '../../../../src/xds/gen/sds/workload-secret-provider.js';
import { ClusterType, SecretType } from '../../../../src/xds/proto/type-urls.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { proxy } from '../helpers/mesh-builder.js';
import { expectValidOnTheWire, gatewayMesh, router, secret } from '../gateway/helpers/gateway-mesh.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const ROOT_1 = '-----BEGIN CERTIFICATE-----\nMIIBroot1\n-----END CERTIFICATE-----';
const ROOT_2 = '-----BEGIN CERTIFICATE-----\nMIIBroot2\n-----END CERTIFICATE-----\n';

class Secrets implements WorkloadSecretProvider {
  readonly byIdentity = new Map<string, WorkloadSecret>();
  roots: readonly string[] = [ROOT_1, ROOT_2];
  calls: string[] = [];
  set(ns: string, sa: string, version: number): WorkloadSecret {
    const s = {
      certChainPem: `-----BEGIN CERTIFICATE-----\n${ns}.${sa}.leaf.v${version}\n-----END CERTIFICATE-----\n${ROOT_1}\n`,
      privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${ns}.${sa}.key.v${version}\n-----END PRIVATE KEY-----\n`,
    };
    this.byIdentity.set(`${ns}/${sa}`, s);
    return s;
  }
  workloadSecret(ns: string, sa: string): WorkloadSecret | undefined {
    this.calls.push(`${ns}/${sa}`);
    return this.byIdentity.get(`${ns}/${sa}`);
  }
  trustBundlePem(): readonly string[] {
    return this.roots;
  }
}

const authenticated = (p: ProxyNode, namespace: string, serviceAccount: string): ProxyNode => ({ ...p, verifiedIdentity: { namespace, serviceAccount } });
const snap = gatewayMesh({ secrets: [secret('gw-cert', 'istio-system', { 'tls.crt': ROOT_2, 'tls.key': 'k' })] });

describe('SDS workload secrets', () => {
  it('serves "default" as the authenticated identity key and chain, and "ROOTCA" as the trust bundle', () => {
    const secrets = new Secrets();
    const own = secrets.set('ns-a', 'sa-a', 1);
    const generator = createSdsGenerator(secrets);
    const out = generateFor(generator, snap, authenticated(proxy('sidecar', 'ns-a'), 'ns-a', 'sa-a'), ['default', 'ROOTCA']);
    expect(resourceNamed(out, 'default')).toEqual({
      name: 'default',
      tlsCertificate: { certificateChain: { inlineBytes: b64(own.certChainPem) }, privateKey: { inlineBytes: b64(own.privateKeyPem) } },
    });
    // Istio's concatCerts: a newline between PEM blocks where one is missing.
    expect(resourceNamed(out, 'ROOTCA')).toEqual({ name: 'ROOTCA', validationContext: { trustedCa: { inlineBytes: b64(`${ROOT_1}\n${ROOT_2}`) } } });
    expectValidOnTheWire(SecretType, out);
  });

  it('serves "default" for the identity the stream authenticated as, whatever the node claims, and nothing without one', () => {
    const secrets = new Secrets();
    secrets.set('ns-a', 'sa-a', 1);
    secrets.set('ns-b', 'sa-b', 1);
    const generator = createSdsGenerator(secrets);
    // A node claiming ns-b on a stream authenticated as ns-a/sa-a (the server refuses such streams; the generator does not rely on it).
    const claimsB = authenticated({ ...proxy('sidecar', 'ns-b'), serviceAccount: 'sa-b' }, 'ns-a', 'sa-a');
    const out = generateFor(generator, snap, claimsB, ['default']);
    expect(Buffer.from(String((resourceNamed(out, 'default')['tlsCertificate'] as { privateKey: { inlineBytes: string } }).privateKey.inlineBytes), 'base64').toString()).toContain('ns-a.sa-a.key');
    expect(secrets.calls).toEqual(['ns-a/sa-a']);
    expect(generateFor(generator, snap, proxy('sidecar', 'ns-a'), ['default', 'ROOTCA'])).toEqual([]);
  });

  it('has no "default" or "ROOTCA" without a provider, nor before the identity has a certificate, nor for a wildcard request', () => {
    const withIdentity = authenticated(proxy('sidecar', 'ns-a'), 'ns-a', 'sa-a');
    expect(generateFor(sdsGenerator, snap, withIdentity, ['default', 'ROOTCA'])).toEqual([]);
    const secrets = new Secrets();
    secrets.roots = [];
    const generator = createSdsGenerator(secrets);
    expect(generateFor(generator, snap, withIdentity, ['default', 'ROOTCA'])).toEqual([]);
    secrets.set('ns-a', 'sa-a', 1);
    expect(generateFor(generator, snap, withIdentity)).toEqual([]);
  });

  it('keeps gateway credentials for gateways only: a sidecar asking for one gets its own secrets and nothing else', () => {
    const secrets = new Secrets();
    secrets.set('istio-system', 'istio-ingressgateway', 1);
    secrets.set('istio-system', 'app', 1);
    const generator = createSdsGenerator(secrets);
    const names = ['default', 'kubernetes://gw-cert'];
    expect(namesOf(generateFor(generator, snap, router('istio-system'), names))).toEqual(['default', 'kubernetes://gw-cert']);
    expect(namesOf(generateFor(generator, snap, authenticated(proxy('sidecar', 'istio-system'), 'istio-system', 'app'), names))).toEqual(['default']);
  });

  it('gives proxies of one identity one key and other identities another', () => {
    const generator = createSdsGenerator(new Secrets());
    const key = (ns: string, sa: string, type: 'sidecar' | 'proxyless' = 'sidecar') => JSON.stringify(generator.keyOf(authenticated(proxy(type, ns), ns, sa), snap));
    expect(key('ns-a', 'sa-a')).toBe(JSON.stringify(generator.keyOf({ ...authenticated(proxy('sidecar', 'ns-a'), 'ns-a', 'sa-a'), podName: 'other' }, snap)));
    expect(new Set([key('ns-a', 'sa-a'), key('ns-a', 'sa-b'), key('ns-b', 'sa-a')]).size).toBe(3);
  });

  it('names as stale only the changed identity "default", and "ROOTCA" of everyone on a trust bundle change', () => {
    const generator = createSdsGenerator(new Secrets());
    const keyOf = (ns: string, sa: string) => generator.keyOf(authenticated(proxy('sidecar', ns), ns, sa), snap);
    const changeA = { identities: new Set([identityKey('ns-a', 'sa-a')]), trustBundle: false };
    expect([...generator.affectedBySecrets!(keyOf('ns-a', 'sa-a'), changeA)]).toEqual(['default']);
    expect([...generator.affectedBySecrets!(keyOf('ns-a', 'sa-b'), changeA)]).toEqual([]);
    expect([...generator.affectedBySecrets!(keyOf('ns-b', 'sa-b'), { identities: new Set(), trustBundle: true })]).toEqual(['ROOTCA']);
    expect([...generator.affectedBySecrets!(generator.keyOf(proxy('sidecar', 'ns-a'), snap), { identities: new Set(), trustBundle: true })]).toEqual([]);
  });
});

describe('a secret push through the generation cache', () => {
  it('regenerates the changed identity "default" and leaves every other entry as it was', () => {
    const secrets = new Secrets();
    secrets.set('ns-a', 'sa-a', 1);
    secrets.set('ns-b', 'sa-b', 1);
    const cache = new GenerationCache(createGenerators({ workloadSecrets: secrets }));
    cache.update(snap, fullPush('initial'));
    const a = authenticated(proxy('sidecar', 'ns-a'), 'ns-a', 'sa-a');
    const b = authenticated(proxy('sidecar', 'ns-b'), 'ns-b', 'sa-b');
    const names = new Set(['default', 'ROOTCA']);
    const beforeA = cache.named(SecretType, a, names);
    const beforeB = cache.named(SecretType, b, names);
    const clustersBefore = cache.wildcard(ClusterType, a);

    secrets.set('ns-a', 'sa-a', 2);
    const request = secretPush({ identities: new Set([identityKey('ns-a', 'sa-a')]), trustBundle: false });
    cache.update(snap, request);
    expect(cache.endpointChangesFor(SecretType, a, request)).toEqual(new Set(['default']));
    expect(cache.endpointChangesFor(SecretType, b, request)).toEqual(new Set());
    expect(cache.endpointChangesFor(ClusterType, a, request)).toBe('none');
    const afterA = cache.named(SecretType, a, names);
    expect(afterA.get('default')!.version).not.toBe(beforeA.get('default')!.version);
    expect(afterA.get('ROOTCA')).toBe(beforeA.get('ROOTCA'));
    expect(cache.named(SecretType, b, names)).toBe(beforeB);
    expect(cache.wildcard(ClusterType, a)).toBe(clustersBefore);

    // An endpoint push leaves secrets alone; a trust bundle change regenerates every ROOTCA.
    cache.update(snap, endpointPush(['reviews.default.svc.cluster.local']));
    expect(cache.endpointChangesFor(SecretType, b)).toBe('none');
    secrets.roots = [ROOT_2];
    cache.update(snap, secretPush({ identities: new Set(), trustBundle: true }));
    expect(cache.named(SecretType, b, names).get('ROOTCA')!.version).not.toBe(beforeB.get('ROOTCA')!.version);
  });
});
