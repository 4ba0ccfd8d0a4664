/**
 * The service ports a sidecar's own workload serves (Istio's
 * ServiceTargets): services in its namespace whose selector matches its
 * labels, each port with the port the workload listens on.
 */
import { describe, expect, it } from 'vitest';
import { proxyServiceInstances } from '../../../../src/xds/gen/common/proxy-service-instances.js';
import { endpoint, fqdn, kubeService, port, proxy, serviceEntry, snapshot } from '../helpers/mesh-builder.js';

const named = { ...port(80, 'HTTP', 'http'), targetPort: 'web' };
const numeric = { ...port(81, 'HTTP', 'http-alt'), targetPort: 8081 };
const plain = port(82, 'TCP', 'tcp');
const web = kubeService('web', 'default', [named, numeric, plain]);

function targets(snap: ReturnType<typeof snapshot>, node = proxy('sidecar', 'default', { app: 'web' })): [string, number, number][] {
  return proxyServiceInstances(node, snap).map((i) => [i.service.hostname, i.servicePort.port, i.targetPort]);
}

describe('proxyServiceInstances', () => {
  it('numeric targetPort as given, none as the service port, a name through the own endpoint', () => {
    const snap = snapshot({ services: [web], endpoints: { [web.hostname]: [endpoint('10.1.0.1', named, { port: 8080 }), endpoint('10.9.9.9', named, { port: 9999 })] } });
    expect(targets(snap)).toEqual([
      [fqdn('web'), 80, 8080],
      [fqdn('web'), 81, 8081],
      [fqdn('web'), 82, 82],
    ]);
  });

  it("resolves a named targetPort from ISTIO_META_POD_PORTS first, the pod's own container ports", () => {
    const node = { ...proxy('sidecar', 'default', { app: 'web' }), metadata: { POD_PORTS: '[{"name":"web","containerPort":7000,"protocol":"TCP"}]' } };
    const snap = snapshot({ services: [web], endpoints: { [web.hostname]: [endpoint('10.1.0.1', named, { port: 8080 })] } });
    expect(targets(snap, node)[0]).toEqual([fqdn('web'), 80, 7000]);
  });

  it('ignores services of other namespaces, other selectors, and ServiceEntries', () => {
    const elsewhere = kubeService('web', 'shop', [plain]);
    const other = kubeService('api', 'default', [plain]);
    const external = serviceEntry('web.example', 'default', 'DNS', [plain]);
    expect(targets(snapshot({ services: [elsewhere, other, external] }))).toEqual([]);
  });
});
