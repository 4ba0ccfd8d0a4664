/**
 * Renders one bench service as the Kubernetes/Istio objects a cluster would
 * hold for it: Service, Pods, EndpointSlice, and for traffic-split services a
 * DestinationRule and a VirtualService.
 */
import { stringify } from 'yaml';
import { serviceHost, type BenchPod, type BenchService } from './mesh-model.js';

type Doc = Record<string, unknown>;

function service(s: BenchService): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace, labels: { app: s.name } },
    spec: {
      clusterIP: s.clusterIP,
      selector: { app: s.name },
      ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' })),
    },
  };
}

function pod(s: BenchService, p: BenchPod): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: s.namespace,
      labels: { app: s.name, version: p.version, 'security.istio.io/tlsMode': 'istio' },
    },
    spec: {
      serviceAccountName: s.name,
      nodeName: 'bench-node',
      containers: [{ name: 'app', image: `bench/${s.name}:${p.version}`, ports: s.ports.map((port) => ({ containerPort: port.port })) }],
    },
    status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function endpointSlice(s: BenchService): Doc {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${s.name}-bench`,
      namespace: s.namespace,
      labels: { 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP' })),
    endpoints: s.pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'bench-node',
      targetRef: { kind: 'Pod', name: p.name, namespace: s.namespace },
    })),
  };
}

function destinationRule(s: BenchService): Doc {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: s.name, namespace: s.namespace },
    spec: {
      host: serviceHost(s),
      // Full translation: every traffic-split service also carries the policies a production mesh sets.
      trafficPolicy: {
        loadBalancer: { simple: 'LEAST_REQUEST' },
        connectionPool: { tcp: { maxConnections: 100 }, http: { http2MaxRequests: 1000, maxRequestsPerConnection: 10 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
      },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    },
  };
}

function virtualService(s: BenchService): Doc {
  const host = serviceHost(s);
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: s.name, namespace: s.namespace },
    spec: {
      hosts: [s.name],
      http: [
        {
          match: [{ headers: { 'end-user': { exact: 'canary' } } }],
          route: [{ destination: { host, subset: 'v2' } }],
        },
        {
          timeout: '5s',
          retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,connect-failure' },
          route: [
            { destination: { host, subset: 'v1' }, weight: 90 },
            { destination: { host, subset: 'v2' }, weight: 10 },
          ],
        },
      ],
    },
  };
}

/**
 * Istio objects come before the Pods: an endpoint change adds or replaces
 * Pods, and tsiod records each object's "file#document" position, so a
 * DestinationRule that moved from document 6 to 7 would count as changed
 * and turn an endpoint edit into a full push.
 */
export function serviceDocuments(s: BenchService): Doc[] {
  const istio = s.trafficSplit ? [destinationRule(s), virtualService(s)] : [];
  return [service(s), ...istio, ...s.pods.map((p) => pod(s, p)), endpointSlice(s)];
}

export function namespaceDocuments(namespaces: readonly string[]): Doc[] {
  return namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled' } } }));
}

export function toYamlStream(docs: readonly Doc[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}
