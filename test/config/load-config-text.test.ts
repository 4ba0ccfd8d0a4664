import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/config/config-error.js';
import { loadConfigText } from '../../src/config/load-config-text.js';

const service = (name: string, extra = ''): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
${extra}spec:
  ports:
    - name: http
      port: 80
`;

describe('loadConfigText', () => {
  it('reports a malformed YAML document with file and 1-based document number, and still loads the others', () => {
    const text = [service('a'), 'kind: Service\nmetadata: {name: [unclosed\n', service('b')].join('---\n');
    const loaded = loadConfigText('dir/mesh.yaml', text);
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(loaded.objects.map((o) => o.source)).toEqual(['dir/mesh.yaml#1', 'dir/mesh.yaml#3']);
    expect(loaded.errors).toHaveLength(1);
    expect(loaded.errors[0]?.source).toBe('dir/mesh.yaml#2');
    expect(formatConfigError(loaded.errors[0]!)).toMatch(/^dir\/mesh\.yaml#2: document 2 is not valid YAML: /);
  });

  it('rejects a document that is not an object', () => {
    const loaded = loadConfigText('x.yaml', `- a\n- b\n---\n${service('ok')}`);
    expect(loaded.objects).toHaveLength(1);
    expect(formatConfigError(loaded.errors[0]!)).toBe('x.yaml#1: document 1 is not an object (found a list)');
  });

  it.each([
    ['kind', 'apiVersion: v1\nmetadata: {name: a}\n', 'document 1 has no kind'],
    ['apiVersion', 'kind: Service\nmetadata: {name: a}\n', 'document 1 has no apiVersion'],
    ['metadata.name', 'apiVersion: v1\nkind: Service\nmetadata: {namespace: x}\n', 'document 1 has no metadata.name'],
  ])('rejects a document without %s', (path, text, message) => {
    const loaded = loadConfigText('x.yaml', text);
    expect(loaded.objects).toEqual([]);
    expect(loaded.errors).toEqual([expect.objectContaining({ source: 'x.yaml#1', path, message })]);
  });

  it('rejects an unknown kind and names it', () => {
    const loaded = loadConfigText('x.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
    expect(loaded.objects).toEqual([]);
    expect(formatConfigError(loaded.errors[0]!)).toBe('x.yaml#1 Widget default/w: kind: unknown kind Widget (apiVersion example.com/v1)');
  });

  it('rejects a known kind under an apiVersion that does not serve it', () => {
    const loaded = loadConfigText('x.yaml', 'apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: v}\nspec: {hosts: [a]}\n');
    expect(loaded.errors[0]?.path).toBe('apiVersion');
  });

  it('reads every Istio networking version and accepts stored-only Istio kinds', () => {
    const text = ['v1', 'v1beta1', 'v1alpha3']
      .map((v, i) => `apiVersion: networking.istio.io/${v}\nkind: DestinationRule\nmetadata: {name: d${i}}\nspec: {host: reviews}\n`)
      .concat('apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {mtls: {mode: STRICT}}\n')
      .join('---\n');
    const loaded = loadConfigText('x.yaml', text);
    expect(loaded.errors).toEqual([]);
    expect(loaded.objects.map((o) => o.kind)).toEqual(['DestinationRule', 'DestinationRule', 'DestinationRule', 'PeerAuthentication']);
  });

  it('defaults the namespace to "default" and leaves cluster-scoped kinds without one', () => {
    const loaded = loadConfigText('x.yaml', `${service('a')}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n`);
    expect(loaded.objects.map((o) => o.metadata.namespace)).toEqual(['default', '']);
  });

  it('expands kind: List, tagging items with their index', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: a}
    spec: {ports: [{port: 80}]}
  - apiVersion: v1
    kind: Gadget
    metadata: {name: g}
`;
    const loaded = loadConfigText('list.yaml', text);
    expect(loaded.objects.map((o) => o.source)).toEqual(['list.yaml#1.items[0]']);
    expect(loaded.errors.map((e) => e.source)).toEqual(['list.yaml#1.items[1]']);
  });

  it('rejects an invalid object alone and keeps the valid one', () => {
    const text = `${service('good')}---\n${service('bad').replace('port: 80', 'port: 70000')}`;
    const loaded = loadConfigText('x.yaml', text);
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(['good']);
    expect(formatConfigError(loaded.errors[0]!)).toBe('x.yaml#2 Service default/bad: spec.ports[0].port: port 70000 must be between 1 and 65535');
  });

  it('reads a .json file as one document', () => {
    const loaded = loadConfigText('svc.json', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'j' }, spec: { ports: [{ port: 80 }] } }));
    expect(loaded.objects.map((o) => o.source)).toEqual(['svc.json#1']);
    expect(loadConfigText('bad.json', '{').errors[0]?.message).toMatch(/^document 1 is not valid JSON/);
  });

  it('skips empty and comment-only documents without error, still counting them', () => {
    const loaded = loadConfigText('x.yaml', `---\n# just a comment\n---\n${service('a')}---\n`);
    expect(loaded.errors).toEqual([]);
    expect(loaded.objects[0]?.source).toBe('x.yaml#2');
  });

  it('freezes loaded objects so the store and snapshot can share them', () => {
    const [object] = loadConfigText('x.yaml', service('a')).objects;
    expect(Object.isFrozen(object)).toBe(true);
    expect(Object.isFrozen(object!.content['spec'])).toBe(true);
  });
});
