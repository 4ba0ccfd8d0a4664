import { startGrpcGoDriver } from './drivers/grpc-go-driver.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';
import { ECHO_BACKENDS } from './scenarios/backend-kinds.js';
import { defineWeightedSplitSuite } from './scenarios/weighted-split.js';

const CLIENT = 'grpc-go (xDS interop client)';

// grpc-go against the npm-only echo backends; three-clients-grpc-go.test.ts runs it against grpc-go's servers.
whenPeersProvisioned(`${CLIENT} to ${ECHO_BACKENDS.name}`, ['grpc-go-xds-client'], () =>
  defineWeightedSplitSuite({
    clientName: CLIENT,
    backends: ECHO_BACKENDS,
    startDriver: (xdsPort) =>
      startGrpcGoDriver('xds:///reviews', {
        xdsPort,
        nodeId: 'tsiod-interop-grpc-go',
        // No GENERATOR metadata: tsiod must recognise grpc-go by its user agent ("gRPC Go").
      }),
  }),
);
