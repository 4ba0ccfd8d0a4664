/**
 * The effective PeerAuthentication of a workload, against Istio's
 * documented rules (istio.io "PeerAuthentication" reference and the
 * "Mutual TLS Migration" / "Authentication Policy" tasks, and the comment
 * on pilot/pkg/security/authn ComposePeerAuthentication):
 * - a workload without any policy is PERMISSIVE;
 * - a policy in the root namespace without selector is mesh-wide, one in
 *   another namespace without selector (or with an empty one) covers the
 *   namespace, one with a selector the workloads it selects;
 * - the narrowest scope wins, UNSET inherits from the wider scope, and
 *   portLevelMtls (keyed by the workload's port) overrides per port, its
 *   UNSET inheriting the workload's mode;
 * - with several policies of one scope the oldest applies;
 * - a selector in the root namespace applies to nothing.
 * Clients infer auto mTLS from the namespace (else mesh) policy only.
 * The objects go through the real pipeline (YAML, validation, buildSnapshot).
 */
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config-text.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import {
  everyEndpointAcceptsMtls,
  mutualTlsModeForPort,
  namespaceMutualTlsMode,
  peerAuthenticationFor,
} from '../../src/model/peer-authentication.js';
import { DEFAULT_MESH_CONFIG, type MeshSnapshot, type WorkloadEndpoint } from '../../src/model/types.js';

interface Policy {
  readonly name: string;
  readonly namespace: string;
  readonly created?: string;
  readonly selector?: Record<string, string>;
  readonly mode?: string;
  readonly portLevel?: Record<string, string | undefined>;
}

function yamlOf(p: Policy): string {
  const spec = [
    ...(p.selector ? ['  selector:', `    matchLabels: ${JSON.stringify(p.selector)}`] : []),
    ...(p.mode ? ['  mtls:', `    mode: ${p.mode}`] : []),
    ...(p.portLevel ? ['  portLevelMtls:', ...Object.entries(p.portLevel).map(([port, mode]) => `    "${port}": ${mode ? `{mode: ${mode}}` : '{}'}`)] : []),
  ];
  const lines = [
    'apiVersion: security.istio.io/v1',
    'kind: PeerAuthentication',
    'metadata:',
    `  name: ${p.name}`,
    `  namespace: ${p.namespace}`,
    ...(p.created ? [`  creationTimestamp: "${p.created}"`] : []),
    ...(spec.length > 0 ? ['spec:', ...spec] : ['spec: {}']),
  ];
  return lines.join('\n');
}

function meshWith(...policies: Policy[]): MeshSnapshot {
  const loaded = loadConfigText('policies.yaml', policies.map(yamlOf).join('\n---\n'));
  expect(loaded.errors).toEqual([]);
  return buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: loaded.objects });
}

const APP = { app: 'reviews' };
const modeOf = (snapshot: MeshSnapshot, namespace = 'shop', labels: Record<string, string> = APP): string =>
  peerAuthenticationFor(snapshot, namespace, labels).mode;

describe('effective PeerAuthentication of a workload', () => {
  it('is PERMISSIVE without any policy', () => {
    const effective = peerAuthenticationFor(meshWith(), 'shop', APP);
    expect(effective.mode).toBe('PERMISSIVE');
    expect(effective.portLevel.size).toBe(0);
  });

  it('takes the mesh-wide policy from the root namespace', () => {
    expect(modeOf(meshWith({ name: 'default', namespace: 'istio-system', mode: 'STRICT' }))).toBe('STRICT');
    // UNSET mesh-wide leaves the default.
    expect(modeOf(meshWith({ name: 'default', namespace: 'istio-system' }))).toBe('PERMISSIVE');
  });

  it('lets a namespace policy override the mesh, and its UNSET inherit it', () => {
    const mesh = { name: 'default', namespace: 'istio-system', mode: 'STRICT' };
    expect(modeOf(meshWith(mesh, { name: 'default', namespace: 'shop', mode: 'PERMISSIVE' }))).toBe('PERMISSIVE');
    expect(modeOf(meshWith(mesh, { name: 'default', namespace: 'shop', mode: 'UNSET' }))).toBe('STRICT');
    // Another namespace's policy does not apply.
    expect(modeOf(meshWith(mesh, { name: 'default', namespace: 'other', mode: 'DISABLE' }))).toBe('STRICT');
  });

  it('treats an empty selector as namespace-wide', () => {
    expect(modeOf(meshWith({ name: 'all', namespace: 'shop', selector: {}, mode: 'DISABLE' }), 'shop', { app: 'anything' })).toBe('DISABLE');
  });

  it('lets a workload policy override the namespace for the workloads it selects only, and its UNSET inherit', () => {
    const snapshot = meshWith(
      { name: 'default', namespace: 'shop', mode: 'STRICT' },
      { name: 'reviews', namespace: 'shop', selector: APP, mode: 'DISABLE' },
      { name: 'ratings', namespace: 'shop', selector: { app: 'ratings' } },
    );
    expect(modeOf(snapshot, 'shop', APP)).toBe('DISABLE');
    expect(modeOf(snapshot, 'shop', { app: 'ratings' })).toBe('STRICT');
    expect(modeOf(snapshot, 'shop', { app: 'details' })).toBe('STRICT');
  });

  it('ignores a selector in the root namespace: it is neither mesh-wide nor a workload policy elsewhere', () => {
    const snapshot = meshWith({ name: 'reviews', namespace: 'istio-system', selector: APP, mode: 'STRICT' });
    expect(modeOf(snapshot, 'shop', APP)).toBe('PERMISSIVE');
    expect(modeOf(snapshot, 'istio-system', APP)).toBe('PERMISSIVE');
  });

  it('applies the oldest policy of a scope (by creationTimestamp, then name)', () => {
    const older = { name: 'zz-older', namespace: 'shop', created: '2024-01-01T00:00:00Z', mode: 'DISABLE' };
    const newer = { name: 'aa-newer', namespace: 'shop', created: '2024-06-01T00:00:00Z', mode: 'STRICT' };
    expect(modeOf(meshWith(newer, older))).toBe('DISABLE');
    const olderWorkload = { name: 'zz-old', namespace: 'shop', created: '2024-01-01T00:00:00Z', selector: APP, mode: 'STRICT' };
    const newerWorkload = { name: 'aa-new', namespace: 'shop', created: '2024-06-01T00:00:00Z', selector: { version: 'v1' }, mode: 'DISABLE' };
    expect(modeOf(meshWith(newerWorkload, olderWorkload), 'shop', { ...APP, version: 'v1' })).toBe('STRICT');
    // Same creation time: Istio orders by name.
    const same = '2024-01-01T00:00:00Z';
    expect(modeOf(meshWith({ name: 'b', namespace: 'shop', created: same, mode: 'STRICT' }, { name: 'a', namespace: 'shop', created: same, mode: 'DISABLE' }))).toBe('DISABLE');
  });

  it('overrides per workload port with portLevelMtls; an UNSET port inherits the workload mode', () => {
    const snapshot = meshWith(
      { name: 'default', namespace: 'istio-system', mode: 'STRICT' },
      { name: 'reviews', namespace: 'shop', selector: APP, portLevel: { '8080': 'PERMISSIVE', '9090': 'DISABLE', '9091': undefined } },
    );
    const effective = peerAuthenticationFor(snapshot, 'shop', APP);
    expect(effective.mode).toBe('STRICT');
    expect(mutualTlsModeForPort(effective, 8080)).toBe('PERMISSIVE');
    expect(mutualTlsModeForPort(effective, 9090)).toBe('DISABLE');
    expect(mutualTlsModeForPort(effective, 9091)).toBe('STRICT');
    expect(mutualTlsModeForPort(effective, 80)).toBe('STRICT');
  });
});

describe("the namespace mode clients infer a service's mTLS from", () => {
  it('is unknown without namespace or mesh policy', () => {
    expect(namespaceMutualTlsMode(meshWith({ name: 'reviews', namespace: 'shop', selector: APP, mode: 'DISABLE' }), 'shop')).toBeUndefined();
  });

  it("is the namespace's policy, else the mesh's; UNSET inherits the mesh's, or PERMISSIVE", () => {
    const snapshot = meshWith(
      { name: 'default', namespace: 'istio-system', mode: 'STRICT' },
      { name: 'default', namespace: 'legacy', mode: 'DISABLE' },
      { name: 'default', namespace: 'inherit' },
    );
    expect(namespaceMutualTlsMode(snapshot, 'legacy')).toBe('DISABLE');
    expect(namespaceMutualTlsMode(snapshot, 'inherit')).toBe('STRICT');
    expect(namespaceMutualTlsMode(snapshot, 'shop')).toBe('STRICT');
    expect(namespaceMutualTlsMode(snapshot, 'istio-system')).toBe('STRICT');
    expect(namespaceMutualTlsMode(meshWith({ name: 'default', namespace: 'istio-system' }), 'shop')).toBe('PERMISSIVE');
    expect(namespaceMutualTlsMode(meshWith({ name: 'default', namespace: 'inherit' }), 'inherit')).toBe('PERMISSIVE');
  });

  it('ignores workload policies and uses the oldest namespace policy', () => {
    const snapshot = meshWith(
      { name: 'old', namespace: 'shop', created: '2024-01-01T00:00:00Z', mode: 'DISABLE' },
      { name: 'new', namespace: 'shop', created: '2024-06-01T00:00:00Z', mode: 'STRICT' },
      { name: 'reviews', namespace: 'shop', selector: APP, mode: 'STRICT' },
    );
    expect(namespaceMutualTlsMode(snapshot, 'shop')).toBe('DISABLE');
  });
});

describe('original-destination connections (Istio infers mTLS for passthrough services from their endpoints)', () => {
  const endpoint = (tlsMode?: string): WorkloadEndpoint => ({
    address: '10.0.0.1',
    port: 80,
    servicePortName: 'http',
    servicePort: 80,
    labels: {},
    ready: true,
    ...(tlsMode ? { tlsMode } : {}),
  });

  it('use mTLS only when there are endpoints and each has a sidecar (no tlsMode label counts as disabled)', () => {
    expect(everyEndpointAcceptsMtls([endpoint('istio'), endpoint('istio')])).toBe(true);
    expect(everyEndpointAcceptsMtls([endpoint('istio'), endpoint()])).toBe(false);
    expect(everyEndpointAcceptsMtls([endpoint('istio'), endpoint('disabled')])).toBe(false);
    expect(everyEndpointAcceptsMtls([])).toBe(false);
  });
});
