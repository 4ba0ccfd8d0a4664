// Istio traffic management (header match, retries, timeouts, fault injection,
// ring hash, outlier detection, circuit breaking, a no-NACK rich mesh) through
// each of the three proxyless clients, one file each. This file: grpc-js.
// First import: grpc-js reads GRPC_TRACE once, when it loads.
import './drivers/grpc-js-trace-env.js';
import { startGrpcJsProbe } from './drivers/grpc-js-probe.js';
import { defineTrafficManagementSuite } from './scenarios/traffic-management.js';

// Needs nothing but npm: the client and the backends run in this process.
defineTrafficManagementSuite({
  clientName: 'grpc-js (@grpc/grpc-js-xds)',
  // grpcio and grpc-go apply the same route-level HTTPFault; grpc-js 1.14.7 answers as if there were none and then stops taking route updates.
  knownGaps: { faultInjection: 'SKIPPED: grpc-js 1.14.7 does not apply the route-level HTTPFault that grpcio and grpc-go apply (open)' },
  startProbe: (xdsPort) =>
    startGrpcJsProbe('xds:///reviews', { xdsPort, nodeId: 'tsiod-traffic-grpc-js', metadata: { GENERATOR: 'grpc' } }),
});
