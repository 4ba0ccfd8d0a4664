import { startGrpcioDriver } from './drivers/grpcio-driver.js';
import { whenGrpcioPeerProvisioned } from './drivers/grpcio-peer-guard.js';
import { defineNackDetectionSuite } from './scenarios/nack-detection.js';

const CLIENT = 'grpcio (gRPC C-core)';

whenGrpcioPeerProvisioned(CLIENT, () =>
  defineNackDetectionSuite({
    clientName: CLIENT,
    startDriver: (xdsPort) => startGrpcioDriver('xds:///reviews', { xdsPort, nodeId: 'tsiod-interop-nack-probe' }),
  }),
);
