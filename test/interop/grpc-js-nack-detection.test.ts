// First import: grpc-js reads GRPC_TRACE once, when it loads.
import './drivers/grpc-js-trace-env.js';
import { startGrpcJsDriver } from './drivers/grpc-js-driver.js';
import { defineNackDetectionSuite } from './scenarios/nack-detection.js';

// A file of its own: grpc-js-xds reads its bootstrap once per process, and
// this one points at the deliberately broken server, not at tsiod.
defineNackDetectionSuite({
  clientName: 'grpc-js (@grpc/grpc-js-xds)',
  startDriver: (xdsPort) => startGrpcJsDriver('xds:///reviews', { xdsPort, nodeId: 'tsiod-interop-nack-probe' }),
});
