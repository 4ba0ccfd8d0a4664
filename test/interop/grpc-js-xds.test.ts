// First import: grpc-js reads GRPC_TRACE once, when it loads.
import './drivers/grpc-js-trace-env.js';
import { startGrpcJsDriver } from './drivers/grpc-js-driver.js';
import { defineWeightedSplitSuite } from './scenarios/weighted-split.js';

defineWeightedSplitSuite({
  clientName: 'grpc-js (@grpc/grpc-js-xds)',
  startDriver: (xdsPort) =>
    startGrpcJsDriver('xds:///reviews', {
      xdsPort,
      nodeId: 'tsiod-interop-grpc-js',
      // No GENERATOR metadata: tsiod must recognise grpc-js by its user agent
      // ("gRPC Node Pure JS"); the grpcio suite covers GENERATOR=grpc.
    }),
});
