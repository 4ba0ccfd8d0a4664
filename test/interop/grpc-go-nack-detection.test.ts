import { startGrpcGoDriver } from './drivers/grpc-go-driver.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { defineNackDetectionSuite } from './scenarios/nack-detection.js';

const CLIENT = 'grpc-go (xDS interop client)';

whenPeersProvisioned(CLIENT, ['grpc-go-xds-client'], () =>
  defineNackDetectionSuite({
    clientName: CLIENT,
    startDriver: (xdsPort) => startGrpcGoDriver('xds:///reviews', { xdsPort, nodeId: 'tsiod-interop-nack-probe' }),
  }),
);
