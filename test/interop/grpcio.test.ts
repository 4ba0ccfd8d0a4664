import { startGrpcioDriver } from './drivers/grpcio-driver.js';
import { whenGrpcioPeerProvisioned } from './drivers/grpcio-peer-guard.js';
import { defineWeightedSplitSuite } from './scenarios/weighted-split.js';

const CLIENT = 'grpcio (gRPC C-core)';

whenGrpcioPeerProvisioned(CLIENT, () =>
  defineWeightedSplitSuite({
    clientName: CLIENT,
    startDriver: (xdsPort) =>
      startGrpcioDriver('xds:///reviews', {
        xdsPort,
        nodeId: 'tsiod-interop-grpcio',
        // What istio-agent puts in a proxyless client's bootstrap; the grpc-js
        // suite leaves it out to cover detection by user agent.
        metadata: { GENERATOR: 'grpc' },
      }),
  }),
);
