/**
 * Gateway credentials in the snapshot: read from Secrets as Istio's
 * credentials controller reads them, rebuilt only when Secrets change, and
 * never visible in serialised snapshots, debug views or JSON dumps.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/config/change-set.js';
import { loadConfigText } from '../../src/config/load-config-text.js';
import { snapshotDebugViews } from '../../src/debug/snapshot-debug.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { serializeSnapshot, snapshotFromData } from '../../src/model/serialize-snapshot.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIU\n-----END CERTIFICATE-----\n';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

function secretYaml(name: string, namespace: string, data: Record<string, string>, field: 'data' | 'stringData' = 'data'): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(field === 'data' ? b64(v) : v)}`);
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ntype: kubernetes.io/tls\n${field}:\n${lines.join('\n')}\n`;
}

const GATEWAY_YAML = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gw
  namespace: istio-system
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["a.example.com"]
    tls: {mode: SIMPLE, credentialName: tls-cert}
`;

function objects(...docs: string[]): ReturnType<typeof loadConfigText>['objects'] {
  const loaded = loadConfigText('mesh.yaml', docs.join('---\n'));
  expect(loaded.errors).toEqual([]);
  return loaded.objects;
}

function changes(...keys: string[]): ChangeSet {
  return { added: new Set(), updated: new Set(keys), removed: new Set(), kinds: new Set(keys.map((k) => k.slice(0, k.indexOf('/')))) };
}

describe('gateway credentials in the snapshot', () => {
  it('reads tls.crt/tls.key and ca.crt, with stringData over data as the apiserver merges them', () => {
    const snap = buildSnapshot({
      mesh: DEFAULT_MESH_CONFIG,
      objects: objects(
        secretYaml('tls-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY, 'ca.crt': CERT }),
        secretYaml('plain', 'istio-system', { cert: CERT, key: KEY }, 'stringData'),
      ),
    });
    expect(snap.gatewayCredentials.keyPair('istio-system', 'tls-cert')).toEqual({ certificateChain: b64(CERT), privateKey: b64(KEY) });
    expect(snap.gatewayCredentials.caBundle('istio-system', 'tls-cert')).toEqual({ trustedCa: b64(CERT) });
    expect(snap.gatewayCredentials.keyPair('istio-system', 'plain')).toEqual({ certificateChain: b64(CERT), privateKey: b64(KEY) });
    expect(snap.gatewayCredentials.caBundle('istio-system', 'plain')).toBeUndefined();
    expect(snap.gatewayCredentials.keyPair('default', 'tls-cert')).toBeUndefined();
  });

  it('ignores a pair with an empty key, as Istio ExtractCertInfo does', () => {
    const snap = buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: objects(secretYaml('empty', 'istio-system', { 'tls.crt': CERT, 'tls.key': '' })) });
    expect(snap.gatewayCredentials.keyPair('istio-system', 'empty')).toBeUndefined();
  });

  it('keeps the previous credentials by identity unless a Secret changed, and when an edit changes no credential', () => {
    const first = buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: objects(secretYaml('tls-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY }), GATEWAY_YAML) });
    const gatewayEdit = buildSnapshot(
      { mesh: DEFAULT_MESH_CONFIG, objects: objects(secretYaml('tls-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY })) },
      first,
      changes('Gateway/istio-system/gw'),
    );
    expect(gatewayEdit.gatewayCredentials).toBe(first.gatewayCredentials);
    const unrelatedSecret = buildSnapshot(
      { mesh: DEFAULT_MESH_CONFIG, objects: objects(secretYaml('tls-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY }), secretYaml('token', 'default', { token: 'x' })) },
      gatewayEdit,
      changes('Secret/default/token'),
    );
    expect(unrelatedSecret.gatewayCredentials).toBe(first.gatewayCredentials);
    const rotated = buildSnapshot(
      { mesh: DEFAULT_MESH_CONFIG, objects: objects(secretYaml('tls-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY.replace('MIIE', 'MIIF') })) },
      unrelatedSecret,
      changes('Secret/istio-system/tls-cert'),
    );
    expect(rotated.gatewayCredentials).not.toBe(first.gatewayCredentials);
    expect(rotated.gatewayCredentials.keyPair('istio-system', 'tls-cert')?.privateKey).toBe(b64(KEY.replace('MIIE', 'MIIF')));
  });

  it('never lets key material reach serialised snapshots, /debug views or a JSON dump of the snapshot', () => {
    const snap = buildSnapshot({
      mesh: DEFAULT_MESH_CONFIG,
      objects: objects(secretYaml('tls-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY }), secretYaml('plain', 'istio-system', { cert: CERT, key: KEY }, 'stringData'), GATEWAY_YAML),
    });
    // The snapshot does hold the key, so the checks below look for something that is there.
    expect(snap.gatewayCredentials.keyPair('istio-system', 'plain')?.privateKey).toBe(b64(KEY));
    const outputs = [
      JSON.stringify(serializeSnapshot(snap)),
      JSON.stringify(serializeSnapshot(snap, { contentOnly: true })),
      JSON.stringify(snap),
      ...[...snapshotDebugViews(() => snap).values()].map((view) => JSON.stringify(view())),
    ];
    expect(outputs.join('\n')).toContain('credentialName');
    for (const output of outputs) {
      expect(output).not.toContain('PRIVATE KEY');
      expect(output).not.toContain(b64(KEY));
      expect(output).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    }
  });

  it('gives a snapshot rebuilt from serialised data no credentials', () => {
    const snap = buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: objects(secretYaml('tls-cert', 'istio-system', { 'tls.crt': CERT, 'tls.key': KEY })) });
    expect(snapshotFromData(serializeSnapshot(snap)).gatewayCredentials.keyPair('istio-system', 'tls-cert')).toBeUndefined();
  });
});
