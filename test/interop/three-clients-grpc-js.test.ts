// The weighted-split scenarios through each of the three proxyless clients
// (grpc-go, gRPC C-core, grpc-js), one file each, against grpc-go's xDS interop
// servers as backends. This file: grpc-js.
// First import: grpc-js reads GRPC_TRACE once, when it loads.
import './drivers/grpc-js-trace-env.js';
import { startGrpcJsDriver } from './drivers/grpc-js-driver.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { GRPC_GO_BACKENDS } from './scenarios/backend-kinds.js';
import { defineWeightedSplitSuite } from './scenarios/weighted-split.js';

const CLIENT = 'grpc-js (@grpc/grpc-js-xds)';

whenPeersProvisioned(`${CLIENT} to ${GRPC_GO_BACKENDS.name}`, ['grpc-go-xds-server'], () =>
  defineWeightedSplitSuite({
    clientName: CLIENT,
    backends: GRPC_GO_BACKENDS,
    startDriver: (xdsPort) => startGrpcJsDriver('xds:///reviews', { xdsPort, nodeId: 'tsiod-interop-grpc-js' }),
  }),
);
