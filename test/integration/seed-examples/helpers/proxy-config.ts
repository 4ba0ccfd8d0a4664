/**
 * What tsiod's real generators send one proxy of a seed example, as the
 * simulator's input, and the wire checks every generated resource must
 * pass: Envoy's validate.rules and a lossless protobuf round trip.
 */
import type { MeshSnapshot } from '../../../../src/model/types.js';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { GeneratedResource } from '../../../../src/xds/gen/generator.js';
import { generators } from '../../../../src/xds/gen/index.js';
import { typeForUrl } from '../../../../src/xds/proto/envoy-protos.js';
import { ClusterType, EndpointType, ListenerType, RouteType, shortTypeName } from '../../../../src/xds/proto/type-urls.js';
import { envoyValidator } from '../../../../src/xds/validate/envoy-validator.js';
import type { XdsResources } from '../../../simulation/xds-view.js';
import { generateFor } from '../../../xds/gen/helpers/generate.js';
import { proxy } from '../../../xds/gen/helpers/mesh-builder.js';
import { canonical, roundTrip } from '../../../xds/gen/helpers/proto-round-trip.js';

/** A sidecar next to a pod, as pilot-agent announces it. */
export function sidecarOf(namespace: string, podName: string, ip: string, labels: Record<string, string>): ProxyNode {
  const base = proxy('sidecar', namespace, labels);
  return { ...base, id: `sidecar~${ip}~${podName}.${namespace}~${namespace}.svc.cluster.local`, ipAddresses: [ip], podName };
}

/** The demo profile's istio-ingressgateway pod (test/fixtures/seed-examples/ingress-gateway). */
export function ingressGateway(): ProxyNode {
  const namespace = 'istio-system';
  const ip = '10.244.0.5';
  const podName = 'istio-ingressgateway-7d4f8b6c9-abcde';
  const base = proxy('router', namespace, { app: 'istio-ingressgateway', istio: 'ingressgateway' });
  return { ...base, id: `router~${ip}~${podName}.${namespace}~${namespace}.svc.cluster.local`, ipAddresses: [ip], podName };
}

function generated(snapshot: MeshSnapshot, node: ProxyNode, typeUrl: string): GeneratedResource[] {
  const generator = [...generators].find(([url]) => url === typeUrl)?.[1];
  if (!generator) throw new Error(`no generator for ${typeUrl}`);
  return generateFor(generator, snapshot, node);
}

/**
 * The resources as Envoy receives them: encoded and decoded with Envoy's
 * protos, so a field a generator misnames (and protobuf drops) is missing
 * here too, and the simulation shows what Envoy would do.
 */
export function proxyConfig(snapshot: MeshSnapshot, node: ProxyNode): XdsResources {
  const onTheWire = (typeUrl: string): GeneratedResource[] =>
    generated(snapshot, node, typeUrl).map((r) => ({ name: r.name, resource: roundTrip(typeUrl, r.resource) }));
  return {
    listeners: onTheWire(ListenerType),
    routes: onTheWire(RouteType),
    clusters: onTheWire(ClusterType),
    endpoints: onTheWire(EndpointType),
  };
}

/** An empty repeated field is not on the wire at all, so it is no loss; an empty message is (presence), so it stays. */
function withoutEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyLists);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
        .map(([k, v]) => [k, withoutEmptyLists(v)]),
    );
  }
  return value;
}

/** Every resource of every type the proxy gets that breaks a validate.rule or does not survive encoding, described. */
export function wireProblems(snapshot: MeshSnapshot, node: ProxyNode): string[] {
  const problems: string[] = [];
  for (const [typeUrl, generator] of generators) {
    const type = typeForUrl(typeUrl);
    for (const r of generateFor(generator, snapshot, node)) {
      const bytes = type.encode(type.fromObject(r.resource as Record<string, unknown>)).finish();
      for (const v of envoyValidator().validateEncoded(type, bytes)) problems.push(`${shortTypeName(typeUrl)} ${r.name}: ${v.rule} @ ${v.path}`);
      if (JSON.stringify(withoutEmptyLists(canonical(roundTrip(typeUrl, r.resource)))) !== JSON.stringify(withoutEmptyLists(canonical(r.resource)))) {
        problems.push(`${shortTypeName(typeUrl)} ${r.name}: changes in a protobuf round trip (a field protobuf does not know?)`);
      }
    }
  }
  return problems;
}
