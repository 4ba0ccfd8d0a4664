/**
 * The kinds of backend a scenario can route to. Every kind answers
 * TestService.UnaryCall with its pod name in the "hostname" header, so every
 * client driver runs against every kind.
 */
import { startEchoBackends } from '../../helpers/echo-backends.js';
import { startGrpcGoBackends } from '../../helpers/grpc-go-backends.js';

export interface BackendPool {
  /** The 127.0.0.1 port of the backend serving as this pod. */
  portOf(podName: string): number;
  stop(): Promise<void>;
}

export interface BackendKind {
  /** Names the kind in suite titles. */
  readonly name: string;
  /** Starts one backend per pod name, each answering as its pod. */
  start(podNames: readonly string[]): Promise<BackendPool>;
}

/** grpc-js servers in the test process: needs nothing but npm. */
export const ECHO_BACKENDS: BackendKind = { name: 'grpc-js echo servers', start: startEchoBackends };

/** grpc-go's xDS interop servers from .peers/bin: needs the grpc-go-xds-server peer. */
export const GRPC_GO_BACKENDS: BackendKind = { name: 'grpc-go xDS interop servers', start: startGrpcGoBackends };
