// The weighted-split scenarios through each of the three proxyless clients
// (grpc-go, gRPC C-core, grpc-js), one file each, against grpc-go's xDS interop
// servers as backends. This file: gRPC C-core.
import { startGrpcioDriver } from './drivers/grpcio-driver.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { GRPC_GO_BACKENDS } from './scenarios/backend-kinds.js';
import { defineWeightedSplitSuite } from './scenarios/weighted-split.js';

const CLIENT = 'grpcio (gRPC C-core)';

whenPeersProvisioned(`${CLIENT} to ${GRPC_GO_BACKENDS.name}`, ['grpcio', 'grpc-go-xds-server'], () =>
  defineWeightedSplitSuite({
    clientName: CLIENT,
    backends: GRPC_GO_BACKENDS,
    startDriver: (xdsPort) =>
      startGrpcioDriver('xds:///reviews', { xdsPort, nodeId: 'tsiod-interop-grpcio', metadata: { GENERATOR: 'grpc' } }),
  }),
);
