import { describe, expect, it } from 'vitest';
import { analyze, sortMessages } from '../../../src/config/analysis/analyze.js';
import { formatMessages, messageLine } from '../../../src/config/analysis/format.js';
import { newMessage, type AnalysisMessage } from '../../../src/config/analysis/message.js';
import { NamespaceNotInjected, ReferencedResourceNotFound, SchemaValidationError, ServiceEntryAddressesRequired } from '../../../src/config/analysis/messages.js';
import { ANALYZERS } from '../../../src/config/analysis/registry.js';
import type { ConfigObject } from '../../../src/config/config-object.js';
import { loadConfigText } from '../../../src/config/load-config-text.js';

function objects(yaml: string): readonly ConfigObject[] {
  const loaded = loadConfigText('mesh.yaml', yaml);
  expect(loaded.errors).toEqual([]);
  return loaded.objects;
}

const GATEWAY_WITH_MISSING_SECRET = `
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
---
apiVersion: v1
kind: Service
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  ports: [{name: https, port: 443}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      tls: {mode: SIMPLE, credentialName: public-cert}
      hosts: ["*"]
`;

describe('analyze', () => {
  it('reports nothing for an empty mesh', () => {
    expect(analyze({ objects: [] })).toEqual([]);
  });

  it('names the resource as istioctl does, with the file and document it came from', () => {
    const messages = analyze({ objects: objects('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n') });
    expect(messages.map((m) => messageLine(m, { references: true }))).toEqual([
      "Info [IST0102] (Namespace shop mesh.yaml#1) The namespace is not enabled for Istio injection. Run 'kubectl label namespace shop istio-injection=enabled' to enable it, or 'kubectl label namespace shop istio-injection=disabled' to explicitly mark it as not needing injection.",
    ]);
    expect(messageLine(messages[0] as AnalysisMessage)).toMatch(/^Info \[IST0102\] \(Namespace shop\) The namespace/);
  });

  it('leaves out Kubernetes\' own namespaces, as Istio does', () => {
    const yaml = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', 'shop'].map((name) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`).join('---\n');
    expect(analyze({ objects: objects(yaml) }).map((m) => m.resource?.name)).toEqual(['shop']);
  });

  it('drops codes a resource suppresses with galley.istio.io/analyze-suppress', () => {
    const yaml = `
apiVersion: v1
kind: Namespace
metadata: {name: a, annotations: {galley.istio.io/analyze-suppress: "IST0103,IST0102"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, annotations: {galley.istio.io/analyze-suppress: "*"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: c, annotations: {galley.istio.io/analyze-suppress: "IST0103"}}
`;
    expect(analyze({ objects: objects(yaml) }).map((m) => m.resource?.name)).toEqual(['c']);
  });

  it('does not call a credential missing when Secrets could not be listed', () => {
    const mesh = objects(GATEWAY_WITH_MISSING_SECRET);
    expect(analyze({ objects: mesh }).map((m) => m.message)).toEqual(['Referenced credentialName not found: "public-cert"']);
    expect(analyze({ objects: mesh, unreadableKinds: new Set(['Secret']) })).toEqual([]);
  });

  it('gives the same messages whatever order the objects come in', () => {
    const mesh = objects(`
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: x, namespace: b}
spec:
  hosts: [x]
  http: [{route: [{destination: {host: nowhere}}]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: a}
`);
    const forward = analyze({ objects: mesh });
    expect(analyze({ objects: [...mesh].reverse() })).toEqual(forward);
    expect(forward.map((m) => `${m.code} ${m.resource?.name}`)).toEqual(['IST0101 x', 'IST0102 a', 'IST0102 b']);
  });

  it('turns an invalid object into a schema validation error, and leaves file errors to the caller', () => {
    const loaded = loadConfigText('vs.yaml', 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: bad}\nspec: {}\n---\nkind: Deployment\napiVersion: apps/v1\nmetadata: {name: d}\n---\n: : :\n');
    const messages = analyze({ objects: loaded.objects, errors: loaded.errors });
    expect(messages.map((m) => messageLine(m, { references: true }))).toEqual([
      'Error [IST0106] (VirtualService default/bad vs.yaml#1) Schema validation error: spec: http, tcp or tls must be provided in virtual service',
    ]);
  });

  it('runs only the analyzers it is given', () => {
    const injection = ANALYZERS.filter((a) => a.name === 'injection.Analyzer');
    const mesh = objects('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    expect(analyze({ objects: mesh }, injection)).toHaveLength(1);
    expect(analyze({ objects: mesh }, ANALYZERS.filter((a) => a.name !== 'injection.Analyzer'))).toEqual([]);
  });
});

describe('sortMessages', () => {
  const resource = (kind: string, namespace: string, name: string) => ({ kind, namespace, name, source: `${name}.yaml#1` });

  it('sorts by level, code, kind/name/namespace and text, and drops duplicates', () => {
    const info = newMessage(NamespaceNotInjected, resource('Namespace', '', 'a'), 'a');
    const warning = newMessage(ServiceEntryAddressesRequired, resource('ServiceEntry', 'default', 'db'));
    const errorB = newMessage(ReferencedResourceNotFound, resource('VirtualService', 'x', 'b'), 'host', 'h');
    const errorA = newMessage(ReferencedResourceNotFound, resource('VirtualService', 'z', 'a'), 'host', 'h');
    const unattached = newMessage(ReferencedResourceNotFound, undefined, 'host', 'h');
    const schema = newMessage(SchemaValidationError, resource('VirtualService', 'x', 'a'), 'spec: bad');
    const sorted = sortMessages([info, warning, errorB, schema, errorA, unattached, errorB]);
    expect(sorted).toEqual([unattached, errorA, errorB, schema, warning, info]);
  });
});

describe('formatMessages', () => {
  const message = newMessage(ReferencedResourceNotFound, { kind: 'VirtualService', namespace: 'default', name: 'reviews', source: 'reviews.yaml#2' }, 'gateway', 'a<b>&c');

  it('prints an empty list as istioctl does', () => {
    expect(formatMessages([], 'log')).toBe('');
    expect(formatMessages([], 'json')).toBe('[]');
    expect(formatMessages([], 'yaml')).toBe('[]\n');
  });

  it('escapes <, > and & in JSON as Go does', () => {
    expect(formatMessages([message], 'json')).toBe(
      '[\n\t{\n\t\t"code": "IST0101",\n\t\t"documentationUrl": "https://istio.io/latest/docs/reference/config/analysis/ist0101/",\n' +
        '\t\t"level": "Error",\n\t\t"message": "Referenced gateway not found: \\"a\\u003cb\\u003e\\u0026c\\"",\n\t\t"origin": "VirtualService default/reviews"\n\t}\n]',
    );
  });

  it('prints YAML with the same fields', () => {
    expect(formatMessages([message], 'yaml', { references: true })).toBe(
      '- code: IST0101\n  documentationUrl: https://istio.io/latest/docs/reference/config/analysis/ist0101/\n  level: Error\n' +
        '  message: \'Referenced gateway not found: "a<b>&c"\'\n  origin: VirtualService default/reviews\n  reference: reviews.yaml#2\n',
    );
  });

  it('colours the level on a terminal', () => {
    expect(messageLine(message, { color: true })).toBe('\u001b[1;31mError\u001b[0m [IST0101] (VirtualService default/reviews) Referenced gateway not found: "a<b>&c"');
  });
});
