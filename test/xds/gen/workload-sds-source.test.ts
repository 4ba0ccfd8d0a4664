/**
 * Every TLS context any generator writes names the workload's own secrets
 * ("default", "ROOTCA") where the proxy's Envoy can get them: pilot-agent's
 * sds-grpc cluster, or tsiod over ADS (ProxyNode.workloadSds), waiting for
 * them unless the stream is one tsiod serves no secrets on; credentialName
 * secrets always over ADS with Envoy's default timeout. Checked on
 * everything the golden cases' Envoy proxies get, as each kind of proxy, by
 * walking the output for every SdsSecretConfig rather than by knowing where
 * generators put them.
 *
 * The kind changes output, so it must change the key of every generator
 * whose output it changes (else the cache would hand one proxy's config to
 * the other), and of no other: a proxy behind the agent and one without it
 * share routes, endpoints and (on authenticated streams) secrets.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../src/model/proxy.js';
import { generators } from '../../../src/xds/gen/index.js';
import { ClusterType, EndpointType, ListenerType, RouteType, SecretType, shortTypeName } from '../../../src/xds/proto/type-urls.js';
import { generateFor } from './helpers/generate.js';
import { goldenCaseNames, loadGoldenCase } from './helpers/golden-case.js';
import { ISTIO_AGENT_SDS_SOURCE as AGENT_SOURCE, ISTIO_SDS_ADS_CONFIG as CREDENTIAL_SOURCE } from './helpers/istio-sds-sources.js';

/** ADS, waiting for the secret as the agent configs do. */
const WORKLOAD_ADS_SOURCE = { ...CREDENTIAL_SOURCE, initialFetchTimeout: { seconds: 0 } };

/**
 * The kinds of Envoy proxy: behind pilot-agent; on its own on an
 * authenticated stream (15012); on its own on plaintext xDS, where no
 * secret will ever come, so nothing may wait for one.
 */
type ProxyKind = 'agent' | 'ads' | 'plaintext';
const KINDS: readonly ProxyKind[] = ['agent', 'ads', 'plaintext'];
const EXPECTED_WORKLOAD_SOURCE: Readonly<Record<ProxyKind, unknown>> = { agent: AGENT_SOURCE, ads: WORKLOAD_ADS_SOURCE, plaintext: CREDENTIAL_SOURCE };

interface SecretConfig {
  readonly name: string;
  readonly sdsConfig: unknown;
}

/** Every SdsSecretConfig (an object with a name and an sdsConfig) anywhere in the resources. */
function secretConfigsIn(value: unknown, out: SecretConfig[] = []): SecretConfig[] {
  if (Array.isArray(value)) {
    for (const item of value) secretConfigsIn(item, out);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record['name'] === 'string' && 'sdsConfig' in record) out.push({ name: record['name'], sdsConfig: record['sdsConfig'] });
    for (const child of Object.values(record)) secretConfigsIn(child, out);
  }
  return out;
}

/** The golden proxy as that kind; agent streams are authenticated too (pilot-agent dials 15012). */
function asKind(node: ProxyNode, kind: ProxyKind): ProxyNode {
  const { verifiedIdentity: _identity, ...unauthenticated } = node;
  const workloadSds = kind === 'agent' ? 'sds-grpc' : 'ads';
  if (kind === 'plaintext') return { ...unauthenticated, workloadSds };
  return { ...unauthenticated, workloadSds, verifiedIdentity: { namespace: node.namespace, serviceAccount: node.serviceAccount ?? 'default' } };
}

function generate(typeUrl: string, snapshot: Parameters<typeof generateFor>[1], node: ProxyNode, dialed: readonly string[] | undefined): unknown[] {
  const generator = generators.get(typeUrl as typeof ListenerType);
  if (!generator) return [];
  const onDemand = dialed !== undefined && (typeUrl === ListenerType || typeUrl === RouteType);
  return generateFor(generator, snapshot, node, onDemand ? dialed : undefined).map((r) => r.resource);
}

const cases = goldenCaseNames().map((name) => loadGoldenCase(name));

describe('workload SDS source in generated config', () => {
  it('the golden cases have sidecars and gateways behind pilot-agent, and sidecars on their own on either port', () => {
    const kinds = new Set(
      cases.flatMap((c) => c.proxies.filter((p) => p.node.type !== 'proxyless').map((p) => `${p.node.type} ${p.node.workloadSds}${p.node.verifiedIdentity ? ' authenticated' : ''}`)),
    );
    expect(kinds).toContain('sidecar sds-grpc');
    expect(kinds).toContain('router sds-grpc');
    expect(kinds).toContain('sidecar ads authenticated');
    expect(kinds).toContain('sidecar ads');
  });

  for (const golden of cases) {
    for (const proxy of golden.proxies.filter((p) => p.node.type !== 'proxyless')) {
      for (const kind of KINDS) {
        it(`${golden.name}: ${proxy.label} as ${kind} names "default"/"ROOTCA" where it gets them and credentials over ADS`, () => {
          const node = asKind(proxy.node, kind);
          const configs = [...generators.keys()].flatMap((typeUrl) => secretConfigsIn(generate(typeUrl, golden.snapshot, node, proxy.dialed)));
          for (const config of configs) {
            const workload = config.name === 'default' || config.name === 'ROOTCA';
            expect(config.sdsConfig, `${config.name}`).toEqual(workload ? EXPECTED_WORKLOAD_SOURCE[kind] : CREDENTIAL_SOURCE);
          }
        });
      }
    }
  }

  it('finds workload secrets in sidecar listeners and clusters and in gateway listeners and clusters of the golden cases', () => {
    const found = new Set<string>();
    for (const golden of cases) {
      for (const proxy of golden.proxies) {
        for (const typeUrl of [ListenerType, ClusterType]) {
          const configs = secretConfigsIn(generate(typeUrl, golden.snapshot, proxy.node, proxy.dialed));
          if (configs.some((c) => c.name === 'default')) found.add(`${proxy.node.type} ${shortTypeName(typeUrl)}`);
        }
      }
    }
    expect([...found].sort()).toEqual([`router ${shortTypeName(ClusterType)}`, `router ${shortTypeName(ListenerType)}`, `sidecar ${shortTypeName(ClusterType)}`, `sidecar ${shortTypeName(ListenerType)}`].sort());
  });
});

describe('workload SDS source in generator keys', () => {
  for (const golden of cases) {
    for (const proxy of golden.proxies) {
      it(`${golden.name}: ${proxy.label} gets another key exactly where its kind changes the output`, () => {
        const pairs: Array<[ProxyKind, ProxyKind]> = [['agent', 'ads'], ['ads', 'plaintext'], ['agent', 'plaintext']];
        for (const [typeUrl, generator] of generators) {
          for (const [kindA, kindB] of pairs) {
            const [a, b] = [asKind(proxy.node, kindA), asKind(proxy.node, kindB)];
            const sameKey = JSON.stringify(generator.keyOf(a, golden.snapshot)) === JSON.stringify(generator.keyOf(b, golden.snapshot));
            const sameOutput = JSON.stringify(generate(typeUrl, golden.snapshot, a, proxy.dialed)) === JSON.stringify(generate(typeUrl, golden.snapshot, b, proxy.dialed));
            const what = `${shortTypeName(typeUrl)} for ${proxy.label}, ${kindA} vs ${kindB}`;
            // Equal keys must mean equal output: the cache shares an entry per key.
            if (sameKey) expect(sameOutput, what).toBe(true);
            // Only listeners and clusters carry TLS contexts: routes and endpoints are shared by all kinds.
            if (typeUrl === RouteType || typeUrl === EndpointType) expect(sameKey, what).toBe(true);
            // Secrets depend on the stream's identity only, not on whether the agent fronts it.
            if (typeUrl === SecretType && kindB !== 'plaintext') expect(sameKey, what).toBe(true);
            // Proxyless clients get no SDS configs: one key whatever their metadata says.
            if (proxy.node.type === 'proxyless' && typeUrl !== SecretType) expect(sameKey, what).toBe(true);
          }
        }
      });
    }
  }
});
