// The weighted-split scenarios through each of the three proxyless clients
// (grpc-go, gRPC C-core, grpc-js), one file each, against grpc-go's xDS interop
// servers as backends. This file: grpc-go.
import { startGrpcGoDriver } from './drivers/grpc-go-driver.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { GRPC_GO_BACKENDS } from './scenarios/backend-kinds.js';
import { defineWeightedSplitSuite } from './scenarios/weighted-split.js';

const CLIENT = 'grpc-go (xDS interop client)';

whenPeersProvisioned(`${CLIENT} to ${GRPC_GO_BACKENDS.name}`, ['grpc-go-xds-client', 'grpc-go-xds-server'], () =>
  defineWeightedSplitSuite({
    clientName: CLIENT,
    backends: GRPC_GO_BACKENDS,
    startDriver: (xdsPort) => startGrpcGoDriver('xds:///reviews', { xdsPort, nodeId: 'tsiod-interop-grpc-go' }),
  }),
);
