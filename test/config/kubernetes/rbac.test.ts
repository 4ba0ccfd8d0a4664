/**
 * deploy/rbac.yaml grants exactly what the kind table reads (get/list/watch,
 * on those resources, nothing more) and what the CA writes, by the names the
 * CA's code uses; deploy/tsiod.yaml runs tsiod as that account behind
 * Service istiod with istiod's ports.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CACERTS_SECRET, ISTIO_CA_SECRET } from '../../../src/ca/kubernetes/ca-secret-data.js';
import { ROOT_CERT_CONFIG_MAP } from '../../../src/ca/kubernetes/root-cert-publisher.js';
import { CA_ROOT_LEASE } from '../../../src/cli/security-setup.js';
import { DEFAULT_SYSTEM_NAMESPACE, KUBE_KINDS } from '../../../src/config/kubernetes/kind-table.js';

const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy');
const RBAC = path.join(DEPLOY, 'rbac.yaml');
const TSIOD = path.join(DEPLOY, 'tsiod.yaml');

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
}

describe('deploy/rbac.yaml', () => {
  const documents = parseAllDocuments(readFileSync(RBAC, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; roleRef?: unknown; subjects?: unknown });

  it('grants get, list and watch on each resource the source reads, and nothing else', () => {
    const roles = documents.filter((d) => (d.kind === 'ClusterRole' || d.kind === 'Role') && d.metadata.name === 'tsiod');
    expect(roles.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual(['ClusterRole/tsiod']);
    const granted = new Set<string>();
    for (const rule of roles[0]?.rules ?? []) {
      expect(rule.verbs.sort()).toEqual(['get', 'list', 'watch']);
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.nonResourceURLs).toBeUndefined();
      for (const group of rule.apiGroups) for (const resource of rule.resources) granted.add(`${group}/${resource}`);
    }
    expect([...granted].sort()).toEqual(KUBE_KINDS.map((k) => `${k.group}/${k.plural}`).sort());
  });

  it('binds the role to the tsiod service account in istio-system', () => {
    expect(documents.find((d) => d.kind === 'ServiceAccount')?.metadata).toEqual({ name: 'tsiod', namespace: 'istio-system' });
    expect(documents.find((d) => d.kind === 'ClusterRoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tsiod' },
      subjects: [{ kind: 'ServiceAccount', name: 'tsiod', namespace: 'istio-system' }],
    });
  });

  it('lets the webhook-configuration patcher update ValidatingWebhookConfigurations and dry-run Gateways in istio-system, nothing more', () => {
    const patcher = documents.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'tsiod-webhook-config');
    expect(patcher?.rules).toEqual([{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['get', 'list', 'watch', 'update'] }]);
    const dryRun = documents.find((d) => d.kind === 'Role' && d.metadata.name === 'tsiod-webhook-dry-run');
    expect(dryRun?.metadata.namespace).toBe('istio-system');
    expect(dryRun?.rules).toEqual([{ apiGroups: ['networking.istio.io'], resources: ['gateways'], verbs: ['create', 'update'] }]);
    const names = documents.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role').map((d) => `${d.kind}/${d.metadata.name}`).sort();
    expect(names).toEqual(['ClusterRole/tsiod', 'ClusterRole/tsiod-ca', 'ClusterRole/tsiod-webhook-config', 'Role/tsiod-ca', 'Role/tsiod-webhook-dry-run']);
  });

  it('lets the CA, cluster-wide, review tokens and write only the root-cert ConfigMap it publishes', () => {
    const ca = documents.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'tsiod-ca');
    // create cannot be narrowed to a name (the object does not exist yet); patch can, to the publisher's ConfigMap.
    expect(ca?.rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [ROOT_CERT_CONFIG_MAP], verbs: ['patch'] },
    ]);
  });

  it('lets the CA, in the system namespace only, create and read its Secrets, rewrite its own root (rotation) and hold its Lease', () => {
    const ca = documents.find((d) => d.kind === 'Role' && d.metadata.name === 'tsiod-ca');
    expect(ca?.metadata.namespace).toBe(DEFAULT_SYSTEM_NAMESPACE);
    expect(ca?.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [ISTIO_CA_SECRET, CACERTS_SECRET], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [ISTIO_CA_SECRET], verbs: ['update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [CA_ROOT_LEASE], verbs: ['get', 'update'] },
    ]);
  });

  it('binds each role to the tsiod service account and nothing else', () => {
    const subjects = [{ kind: 'ServiceAccount', name: 'tsiod', namespace: 'istio-system' }];
    const roles = documents.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
    const bindings = documents.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding');
    expect(bindings).toHaveLength(roles.length);
    for (const role of roles) {
      const binding = bindings.find((b) => (b.roleRef as { kind: string; name: string }).kind === role.kind && (b.roleRef as { name: string }).name === role.metadata.name);
      expect(binding, `${role.kind}/${role.metadata.name}`).toMatchObject({ kind: `${role.kind}Binding`, subjects });
      // A RoleBinding grants in its own namespace: the role's.
      expect(binding?.metadata.namespace).toBe(role.metadata.namespace);
    }
  });
});

interface ContainerPort {
  readonly containerPort: number;
  readonly name?: string;
}

interface TsiodManifests {
  readonly deployment: {
    metadata: { name: string; namespace: string };
    spec: {
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          serviceAccountName: string;
          containers: {
            args: string[];
            env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
            ports: ContainerPort[];
            readinessProbe: { httpGet: { path: string; port: number } };
          }[];
        };
      };
    };
  };
  readonly service: { metadata: { name: string; namespace: string }; spec: { selector: Record<string, string>; ports: { port: number; name: string; targetPort?: number }[] } };
}

function tsiodManifests(): TsiodManifests {
  const documents = parseAllDocuments(readFileSync(TSIOD, 'utf8'));
  for (const d of documents) expect(d.errors, 'deploy/tsiod.yaml parses').toEqual([]);
  const objects = documents.map((d) => d.toJS() as { kind: string });
  expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service']);
  return { deployment: objects[0] as unknown as TsiodManifests['deployment'], service: objects[1] as unknown as TsiodManifests['service'] };
}

/** The value of `--flag=value` or `--flag value` in args. */
function flag(args: readonly string[], name: string): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg === name) return args[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

describe('deploy/tsiod.yaml', () => {
  it('serves as Service istiod in istio-system with istiod\'s ports (its chart\'s service.yaml)', () => {
    const { service } = tsiodManifests();
    expect(service.metadata).toMatchObject({ name: 'istiod', namespace: 'istio-system' });
    expect(service.spec.ports.map((p) => [p.name, p.port, p.targetPort ?? p.port])).toEqual([
      ['grpc-xds', 15010, 15010],
      ['https-dns', 15012, 15012],
      ['https-webhook', 443, 15017],
      ['http-monitoring', 15014, 15014],
    ]);
  });

  it('runs tsiod serve in the cluster as the tsiod service account, on the ports the Service sends to', () => {
    const { deployment, service } = tsiodManifests();
    expect(deployment.metadata.namespace).toBe('istio-system');
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    const rbacAccount = parseAllDocuments(readFileSync(RBAC, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } }).find((d) => d.kind === 'ServiceAccount');
    expect(pod.spec.serviceAccountName).toBe(rbacAccount?.metadata.name);
    expect(deployment.metadata.namespace).toBe(rbacAccount?.metadata.namespace);

    const [container] = pod.spec.containers;
    expect(pod.spec.containers).toHaveLength(1);
    const args = container!.args;
    expect(args.slice(0, 2)).toEqual(['serve', '--in-cluster']);
    // Each port tsiod is told to listen on is one the pod declares, and each Service target is one tsiod listens on.
    const listening = ['--xds-port', '--secure-port', '--webhook-port', '--monitoring-port', '--readiness-port'].map((f) => Number(flag(args, f)));
    expect(listening).toEqual([15010, 15012, 15017, 15014, 8080]);
    expect(container!.ports.map((p) => p.containerPort).sort()).toEqual([...listening].sort());
    for (const port of service.spec.ports) expect(listening, port.name).toContain(port.targetPort ?? port.port);
    expect(container!.readinessProbe.httpGet).toEqual({ path: '/ready', port: Number(flag(args, '--readiness-port')) });
  });

  it('gives the pod its name (the CA Lease\'s holder) and namespace (the system namespace) from the downward API', () => {
    const [container] = tsiodManifests().deployment.spec.template.spec.containers;
    const env = new Map(container!.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
    expect(env.get('POD_NAME')).toBe('metadata.name');
    expect(env.get('POD_NAMESPACE')).toBe('metadata.namespace');
    expect(flag(container!.args, '--system-namespace')).toBe('$(POD_NAMESPACE)');
  });
});
