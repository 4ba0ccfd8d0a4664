import { describe, expect, it } from 'vitest';
import { configKey, type ConfigKey, type ConfigObject } from '../../src/config/config-object.js';
import { formatConfigError } from '../../src/config/config-error.js';
import { MeshConfigTracker, parseMeshConfig } from '../../src/model/mesh-config.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';

const FILE = { source: 'mesh.yaml' };
const CONFIG_MAP = { source: 'k8s:ConfigMap/istio-system/istio', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio', pathPrefix: 'data.mesh' };

describe('parseMeshConfig', () => {
  it('applies the fields tsiod reads over the defaults, and reports the rest as ignored', () => {
    const result = parseMeshConfig(
      ['trustDomain: example.org', 'rootNamespace: mesh-root', 'outboundTrafficPolicy:', '  mode: REGISTRY_ONLY', 'enableAutoMtls: true', 'defaultConfig:', '  concurrency: 2', 'accessLogFile: /dev/stdout'].join('\n'),
      DEFAULT_MESH_CONFIG,
      FILE,
    );
    expect(result.errors).toBeUndefined();
    expect(result.mesh).toEqual({
      trustDomain: 'example.org',
      domainSuffix: 'cluster.local',
      rootNamespace: 'mesh-root',
      outboundTrafficPolicy: 'REGISTRY_ONLY',
      enableAutoMtls: true,
    });
    expect(result.ignored).toEqual(['defaultConfig', 'accessLogFile']);
    expect(Object.isFrozen(result.mesh)).toBe(true);
  });

  it('reads enableAutoMtls (a BoolValue: a bare boolean in proto JSON, default true as in Istio)', () => {
    expect(DEFAULT_MESH_CONFIG.enableAutoMtls).toBe(true);
    expect(parseMeshConfig('enableAutoMtls: false\n', DEFAULT_MESH_CONFIG, FILE).mesh?.enableAutoMtls).toBe(false);
    expect(parseMeshConfig('enable_auto_mtls: false\n', DEFAULT_MESH_CONFIG, FILE).mesh?.enableAutoMtls).toBe(false);
    expect((parseMeshConfig('enableAutoMtls: "no"\n', DEFAULT_MESH_CONFIG, CONFIG_MAP).errors ?? []).map(formatConfigError)).toEqual([
      'k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.enableAutoMtls: must be true or false (found "no")',
    ]);
  });

  it('keeps every default for an empty document, and the defaults of fields left out', () => {
    expect(parseMeshConfig('', DEFAULT_MESH_CONFIG, FILE).mesh).toBe(DEFAULT_MESH_CONFIG);
    expect(parseMeshConfig('# nothing\n', DEFAULT_MESH_CONFIG, FILE).mesh).toBe(DEFAULT_MESH_CONFIG);
    expect(parseMeshConfig('outboundTrafficPolicy: {}\n', DEFAULT_MESH_CONFIG, FILE).mesh).toEqual(DEFAULT_MESH_CONFIG);
    expect(parseMeshConfig('trustDomain: null\n', DEFAULT_MESH_CONFIG, FILE).mesh).toEqual(DEFAULT_MESH_CONFIG);
  });

  it('accepts proto JSON forms: snake_case names and enum numbers', () => {
    const result = parseMeshConfig('trust_domain: td.local\noutbound_traffic_policy: {mode: 0}\n', DEFAULT_MESH_CONFIG, FILE);
    expect(result.mesh).toMatchObject({ trustDomain: 'td.local', outboundTrafficPolicy: 'REGISTRY_ONLY' });
    expect(parseMeshConfig('outboundTrafficPolicy: {mode: 1}', { ...DEFAULT_MESH_CONFIG, outboundTrafficPolicy: 'REGISTRY_ONLY' }, FILE).mesh?.outboundTrafficPolicy).toBe('ALLOW_ANY');
  });

  it('never reads the cluster domain from the mesh config (it is not a MeshConfig field)', () => {
    const result = parseMeshConfig('domainSuffix: example.com\n', DEFAULT_MESH_CONFIG, FILE);
    expect(result.mesh?.domainSuffix).toBe('cluster.local');
    expect(result.ignored).toEqual(['domainSuffix']);
  });

  it('rejects wrong types and values, naming the ConfigMap and the field', () => {
    const errors = (text: string): string[] => (parseMeshConfig(text, DEFAULT_MESH_CONFIG, CONFIG_MAP).errors ?? []).map(formatConfigError);
    expect(errors('trustDomain: 42')).toEqual(['k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.trustDomain: must be a string (found number 42)']);
    expect(errors('trustDomain: ""')).toEqual(['k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.trustDomain: empty domain name not allowed']);
    expect(errors('trustDomain: Not_A.Domain')).toEqual(['k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.trustDomain: trust domain name "Not_A.Domain" invalid']);
    expect(errors('outboundTrafficPolicy: {mode: SOMETIMES}')).toEqual([
      'k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.outboundTrafficPolicy.mode: must be ALLOW_ANY or REGISTRY_ONLY (found "SOMETIMES")',
    ]);
    expect(errors('outboundTrafficPolicy: ALLOW_ANY')).toEqual(['k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.outboundTrafficPolicy: must be a map (found "ALLOW_ANY")']);
    expect(errors('rootNamespace: [a]')).toEqual(['k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.rootNamespace: must be a string (found a list)']);
    expect(errors('- a\n- b')).toEqual(['k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh: the mesh config must be a YAML map (found a list)']);
    // One bad field rejects the whole mesh config, good fields included.
    expect(parseMeshConfig('trustDomain: ok.local\noutboundTrafficPolicy: {mode: 7}', DEFAULT_MESH_CONFIG, CONFIG_MAP).mesh).toBeUndefined();
  });

  it('reports invalid YAML with the source', () => {
    const [error] = parseMeshConfig('trustDomain: [unclosed', DEFAULT_MESH_CONFIG, FILE).errors ?? [];
    expect(error?.source).toBe('mesh.yaml');
    expect(error?.message).toMatch(/^the mesh config is not valid YAML: /);
    expect(parseMeshConfig('a: 1\na: 2', DEFAULT_MESH_CONFIG, FILE).errors?.[0]?.message).toMatch(/not valid YAML.*unique/i);
  });
});

function configMap(data: Record<string, unknown> | undefined, namespace = 'istio-system', name = 'istio'): ConfigObject {
  return {
    kind: 'ConfigMap', apiVersion: 'v1',
    metadata: { name, namespace, labels: {}, annotations: {} },
    content: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, ...(data ? { data: data as Record<string, string> } : {}) },
    source: `k8s:ConfigMap/${namespace}/${name}`,
  };
}

function store(...objects: ConfigObject[]): ReadonlyMap<ConfigKey, ConfigObject> {
  return new Map(objects.map((o) => [configKey(o.kind, o.metadata.namespace, o.metadata.name), o]));
}

function recordingLogger(): { lines: string[]; logger: { debug: (f: object, m: string) => void; info: (f: object, m: string) => void; error: (f: object, m: string) => void } } {
  const lines: string[] = [];
  const at = (level: string) => (_fields: object, message: string): void => void lines.push(`${level}: ${message}`);
  return { lines, logger: { debug: at('debug'), info: at('info'), error: at('error') } };
}

describe('MeshConfigTracker', () => {
  it('reads the istio ConfigMap of the system namespace, keeps the same object while nothing changes, and falls back to the defaults when it goes', () => {
    const { lines, logger } = recordingLogger();
    const tracker = new MeshConfigTracker({ base: DEFAULT_MESH_CONFIG, systemNamespace: 'istio-system', logger });
    expect(tracker.current(store())).toBe(DEFAULT_MESH_CONFIG);
    // Another namespace's or another name's ConfigMap is not the mesh config.
    expect(tracker.current(store(configMap({ mesh: 'trustDomain: x.y' }, 'default'), configMap({ mesh: 'trustDomain: x.y' }, 'istio-system', 'other')))).toBe(DEFAULT_MESH_CONFIG);

    const first = tracker.current(store(configMap({ mesh: 'trustDomain: example.org\nenableTracing: true' })));
    expect(first).toMatchObject({ trustDomain: 'example.org', outboundTrafficPolicy: 'ALLOW_ANY' });
    expect(lines).toContain('debug: mesh config: fields tsiod does not read yet, ignored: enableTracing');
    // An edit that changes nothing tsiod reads keeps the same mesh object (no full push).
    expect(tracker.current(store(configMap({ mesh: 'trustDomain: example.org\nenableTracing: false' })))).toBe(first);
    // No data.mesh: the defaults.
    expect(tracker.current(store(configMap(undefined)))).toBe(DEFAULT_MESH_CONFIG);
    tracker.current(store(configMap({ mesh: 'trustDomain: example.org' })));
    expect(tracker.current(store())).toBe(DEFAULT_MESH_CONFIG);
    expect(lines).toContain('info: mesh config: ConfigMap/istio-system/istio is gone; using the defaults');
  });

  it('logs an invalid mesh config with the ConfigMap and field, and keeps the previous one', () => {
    const { lines, logger } = recordingLogger();
    const tracker = new MeshConfigTracker({ base: DEFAULT_MESH_CONFIG, systemNamespace: 'istio-system', logger });
    const good = tracker.current(store(configMap({ mesh: 'outboundTrafficPolicy: {mode: REGISTRY_ONLY}' })));
    expect(good.outboundTrafficPolicy).toBe('REGISTRY_ONLY');
    expect(tracker.current(store(configMap({ mesh: 'outboundTrafficPolicy: {mode: NEVER}' })))).toBe(good);
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([
      'error: mesh config: k8s:ConfigMap/istio-system/istio ConfigMap istio-system/istio: data.mesh.outboundTrafficPolicy.mode: must be ALLOW_ANY or REGISTRY_ONLY (found "NEVER"); keeping the previous mesh config',
    ]);
    expect(tracker.current(store(configMap({ mesh: 'trustDomain: [' })))).toBe(good);
    expect(tracker.current(store(configMap({ mesh: 42 })))).toBe(good);
    expect(lines.at(-1)).toMatch(/data\.mesh: must be a string; keeping the previous mesh config$/);
  });

  it('reads from the configured system namespace', () => {
    const tracker = new MeshConfigTracker({ base: DEFAULT_MESH_CONFIG, systemNamespace: 'mesh-system', logger: recordingLogger().logger });
    expect(tracker.current(store(configMap({ mesh: 'trustDomain: a.b' })))).toBe(DEFAULT_MESH_CONFIG);
    expect(tracker.current(store(configMap({ mesh: 'trustDomain: a.b' }, 'mesh-system'))).trustDomain).toBe('a.b');
  });
});
