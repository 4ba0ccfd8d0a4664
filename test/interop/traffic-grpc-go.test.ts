// Istio traffic management (header match, retries, timeouts, fault injection,
// ring hash, outlier detection, circuit breaking, a no-NACK rich mesh) through
// each of the three proxyless clients, one file each. This file: grpc-go.
import { startGrpcGoProbe } from './drivers/grpc-go-probe.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { defineTrafficManagementSuite } from './scenarios/traffic-management.js';

const CLIENT = 'grpc-go (xDS interop client)';

whenPeersProvisioned(CLIENT, ['grpc-go-xds-client'], () =>
  defineTrafficManagementSuite({
    clientName: CLIENT,
    startProbe: (xdsPort) =>
      startGrpcGoProbe('xds:///reviews', { xdsPort, nodeId: 'tsiod-traffic-grpc-go', metadata: { GENERATOR: 'grpc' } }),
  }),
);
