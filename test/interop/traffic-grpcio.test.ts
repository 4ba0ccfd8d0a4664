// Istio traffic management (header match, retries, timeouts, fault injection,
// ring hash, outlier detection, circuit breaking, a no-NACK rich mesh) through
// each of the three proxyless clients, one file each. This file: gRPC C-core.
import { startGrpcioProbe } from './drivers/grpcio-probe.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { defineTrafficManagementSuite } from './scenarios/traffic-management.js';

const CLIENT = 'grpcio (gRPC C-core)';

whenPeersProvisioned(CLIENT, ['grpcio'], () =>
  defineTrafficManagementSuite({
    clientName: CLIENT,
    startProbe: (xdsPort) =>
      startGrpcioProbe('xds:///reviews', { xdsPort, nodeId: 'tsiod-traffic-grpcio', metadata: { GENERATOR: 'grpc' } }),
  }),
);
