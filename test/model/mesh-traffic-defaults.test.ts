/**
 * The MeshConfig cluster and route defaults as parseMeshConfig reads them:
 * protobuf JSON (durations "10s", wrappers bare or {value}, enums by name or
 * number, either field-name case) and the checks of Istio's
 * ValidateMeshConfig (ValidateConnectTimeout, ValidateLocalityLbSetting).
 * Expected values and messages come from Istio's mesh.proto documentation
 * and pkg/config/validation/agent/validation.go.
 */
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/config/config-error.js';
import { parseMeshConfig } from '../../src/model/mesh-config.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';

const FILE = { source: 'mesh.yaml' };

const parse = (yaml: string): ReturnType<typeof parseMeshConfig> => parseMeshConfig(yaml, DEFAULT_MESH_CONFIG, FILE);
const errors = (yaml: string): string[] => (parse(yaml).errors ?? []).map(formatConfigError);

describe('MeshConfig cluster and route defaults', () => {
  it('leaves every one unset by default, so Istio defaults apply (connectTimeout 10s, locality {enabled: true}, DO_NOT_UPGRADE)', () => {
    const mesh = parse('trustDomain: cluster.local\n').mesh;
    for (const field of ['connectTimeout', 'tcpKeepalive', 'localityLbSetting', 'defaultHttpRetryPolicy', 'h2UpgradePolicy', 'outboundClusterStatName'] as const) {
      expect(mesh?.[field], field).toBeUndefined();
    }
  });

  it('reads each field in camelCase or snake_case, wrappers bare or as {value}, enums by name or number', () => {
    const camel = parse(
      [
        'connectTimeout: 2.5s',
        'tcpKeepalive: {time: 600s, interval: 75s, probes: 9}',
        'localityLbSetting: {enabled: {value: true}, distribute: [{from: us-east/*, to: {"us-east/*": 80, "us-west/*": 20}}]}',
        'defaultHttpRetryPolicy: {attempts: 5, retryOn: "5xx,reset", perTryTimeout: 2s, retryRemoteLocalities: {value: true}}',
        'h2UpgradePolicy: UPGRADE',
        'outboundClusterStatName: "%SERVICE%_%SERVICE_PORT_NAME%_%SERVICE_PORT%"',
      ].join('\n'),
    );
    expect(camel.errors).toBeUndefined();
    expect(camel.mesh).toMatchObject({
      connectTimeout: '2.5s',
      tcpKeepalive: { time: '600s', interval: '75s', probes: 9 },
      localityLbSetting: { enabled: true, distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] },
      defaultHttpRetryPolicy: { attempts: 5, retryOn: '5xx,reset', perTryTimeout: '2s', retryRemoteLocalities: true },
      h2UpgradePolicy: 'UPGRADE',
      outboundClusterStatName: '%SERVICE%_%SERVICE_PORT_NAME%_%SERVICE_PORT%',
    });
    const snake = parse(['connect_timeout: 3s', 'tcp_keepalive: {time: 60s}', 'h2_upgrade_policy: 1', 'default_http_retry_policy: {attempts: 0}'].join('\n'));
    expect(snake.mesh).toMatchObject({ connectTimeout: '3s', tcpKeepalive: { time: '60s' }, h2UpgradePolicy: 'UPGRADE', defaultHttpRetryPolicy: { attempts: 0 } });
    expect(parse('h2UpgradePolicy: 0\n').mesh?.h2UpgradePolicy).toBe('DO_NOT_UPGRADE');
  });

  it('does not read inboundClusterStatName (reported as ignored): inbound clusters are built without their service', () => {
    expect(parse('inboundClusterStatName: "%SERVICE%"\n').ignored).toEqual(['inboundClusterStatName']);
  });

  it('refuses a connectTimeout outside 1ms..1h, finer than a millisecond, or not a protobuf duration', () => {
    expect(errors('connectTimeout: 0s\n')).toEqual(['mesh.yaml: connectTimeout: connect timeout 0s must be between 1ms and 1h']);
    expect(errors('connectTimeout: 3601s\n')).toEqual(['mesh.yaml: connectTimeout: connect timeout 3601s must be between 1ms and 1h']);
    expect(errors('connectTimeout: 0.0015s\n')).toEqual(['mesh.yaml: connectTimeout: only durations to ms precision are supported']);
    // Go's "1m" is not protobuf JSON: istiod's jsonpb unmarshal rejects it.
    expect(errors('connectTimeout: 1m\n')).toEqual(['mesh.yaml: connectTimeout: must be a protobuf duration such as "10s" or "0.5s" (found "1m")']);
    expect(parse('connectTimeout: 0.001s\n').mesh?.connectTimeout).toBe('0.001s');
    expect(parse('connectTimeout: 3600s\n').mesh?.connectTimeout).toBe('3600s');
  });

  it("applies Istio's localityLbSetting checks: distribute or failover, weights 1..100 summing to 100, failover between distinct regions", () => {
    expect(errors('localityLbSetting: {distribute: [{from: "a/*", to: {"a/*": 100}}], failover: [{from: a, to: b}]}\n')).toEqual([
      "mesh.yaml: localityLbSetting: can not simultaneously specify 'distribute' and 'failover'",
    ]);
    expect(errors('localityLbSetting: {distribute: [{from: "a/*", to: {"a/*": 60, "b/*": 30}}]}\n')).toEqual([
      'mesh.yaml: localityLbSetting.distribute[0].to: total locality weight 90 != 100',
    ]);
    expect(errors('localityLbSetting: {distribute: [{from: "a/*", to: {"a/*": 0, "b/*": 100}}]}\n')).toEqual([
      'mesh.yaml: localityLbSetting.distribute[0].to: locality weight must be in range [1, 100]',
    ]);
    expect(errors('localityLbSetting: {distribute: [{from: "a/*/c", to: {"a/*": 100}}]}\n')).toEqual([
      "mesh.yaml: localityLbSetting.distribute[0]: locality a/*/c wildcard '*' number can not exceed 1 and must be in the end",
    ]);
    expect(errors('localityLbSetting: {failover: [{from: us-east, to: us-east}]}\n')).toEqual([
      'mesh.yaml: localityLbSetting.failover[0]: locality lb failover settings must specify different regions',
    ]);
    expect(errors('localityLbSetting: {failover: [{from: us-east/a, to: "*"}]}\n')).toEqual([
      'mesh.yaml: localityLbSetting.failover[0]: locality lb failover only specify region',
      "mesh.yaml: localityLbSetting.failover[0]: locality lb failover region should not contain '*' wildcard",
    ]);
    expect(errors('localityLbSetting: {failover: [{from: a, to: b}], failoverPriority: [topology.kubernetes.io/zone]}\n')).toEqual([
      "mesh.yaml: localityLbSetting.failoverPriority: can not simultaneously set 'failover' and topology label 'topology.kubernetes.io/zone' in 'failover_priority'",
    ]);
    expect(parse('localityLbSetting: {enabled: false}\n').mesh?.localityLbSetting).toEqual({ enabled: false });
  });

  it('names the field and what was expected for a value of the wrong type, and keeps nothing of such a config', () => {
    expect(errors('tcpKeepalive: {probes: -1, time: 2h}\n')).toEqual([
      'mesh.yaml: tcpKeepalive.probes: must be a non-negative integer (found number -1)',
      'mesh.yaml: tcpKeepalive.time: must be a protobuf duration such as "10s" or "0.5s" (found "2h")',
    ]);
    expect(errors('defaultHttpRetryPolicy: {attempts: two}\n')).toEqual(['mesh.yaml: defaultHttpRetryPolicy.attempts: must be an integer (found "two")']);
    expect(errors('h2UpgradePolicy: SOMETIMES\n')).toEqual(['mesh.yaml: h2UpgradePolicy: must be DO_NOT_UPGRADE or UPGRADE (found "SOMETIMES")']);
    expect(errors('outboundClusterStatName: 5\n')).toEqual(['mesh.yaml: outboundClusterStatName: must be a string (found number 5)']);
    expect(parse('connectTimeout: 0s\ntrustDomain: example.org\n').mesh).toBeUndefined();
  });
});
