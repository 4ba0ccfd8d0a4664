/** deploy/rbac.yaml grants exactly what the kind table reads: get/list/watch, on those resources, nothing more. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KUBE_KINDS } from '../../../src/config/kubernetes/kind-table.js';

const RBAC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/rbac.yaml');

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
    expect(names).toEqual(['ClusterRole/tsiod', 'ClusterRole/tsiod-webhook-config', 'Role/tsiod-webhook-dry-run']);
  });
});
