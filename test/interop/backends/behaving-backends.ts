/**
 * Real gRPC backends (grpc-js, on 127.0.0.1) whose behaviour a test sets while
 * they run: answer, sleep before answering, fail with a status, or fail an
 * RPC's first attempts and answer a retry. Each answers TestService.UnaryCall
 * with its pod name in the "hostname" header, like grpc-go's interop server,
 * so every client driver runs against them; a failure names the pod in its
 * status details, so a test can tell which backend refused.
 *
 * Each backend also counts the attempts it received and the most it held at
 * once: what the client did on the wire, seen from the server side.
 */
import * as grpc from '@grpc/grpc-js';
import { bindLoopback, shutdownServer } from '../../helpers/grpc-test-server.js';
import { EMPTY_MESSAGE, HOSTNAME_HEADER, UNARY_CALL_METHOD } from '../../helpers/echo-service.js';

export type BackendBehaviour =
  | { readonly kind: 'answer' }
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'fail'; readonly code: grpc.status }
  /** Fails with UNAVAILABLE until the attempt whose grpc-previous-rpc-attempts (gRFC A6) reaches `attempts`. */
  | { readonly kind: 'fail-attempts'; readonly attempts: number };

export interface BackendCounters {
  /** Attempts received (a retried RPC counts once per attempt). */
  readonly attempts: number;
  /** The most attempts in progress at once. */
  readonly maxInFlight: number;
  /** Attempts in progress now. */
  readonly inFlight: number;
}

export interface BehavingBackends {
  portOf(podName: string): number;
  behave(podName: string, behaviour: BackendBehaviour): void;
  countersOf(podName: string): BackendCounters;
  /** Zeroes every backend's counters. */
  resetCounters(): void;
  stop(): Promise<void>;
}

/** Header gRPC sets on every retry attempt: how many attempts went before (gRFC A6). */
const PREVIOUS_ATTEMPTS_HEADER = 'grpc-previous-rpc-attempts';

class Backend {
  behaviour: BackendBehaviour = { kind: 'answer' };
  attempts = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly sleeping = new Set<NodeJS.Timeout>();

  constructor(readonly podName: string) {}

  handle(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void {
    this.attempts += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const finish = (error: Partial<grpc.StatusObject> | null): void => {
      this.inFlight -= 1;
      if (error) {
        // Trailers only, no response headers: an RPC that has not received headers is still retryable (gRFC A6).
        callback(error);
        return;
      }
      const headers = new grpc.Metadata();
      headers.set(HOSTNAME_HEADER, this.podName);
      call.sendMetadata(headers);
      callback(null, EMPTY_MESSAGE);
    };
    const behaviour = this.behaviour;
    switch (behaviour.kind) {
      case 'answer':
        finish(null);
        return;
      case 'fail':
        finish({ code: behaviour.code, details: `${this.podName} fails every RPC` });
        return;
      case 'fail-attempts': {
        const previous = Number(call.metadata.get(PREVIOUS_ATTEMPTS_HEADER)[0] ?? 0);
        if (previous < behaviour.attempts) finish({ code: grpc.status.UNAVAILABLE, details: `${this.podName} refuses early attempts` });
        else finish(null);
        return;
      }
      case 'sleep': {
        const timer = setTimeout(() => {
          this.sleeping.delete(timer);
          finish(null);
        }, behaviour.ms);
        this.sleeping.add(timer);
        // A client that gave up (deadline, cancel) frees its slot at once.
        call.on('cancelled', () => {
          if (!this.sleeping.delete(timer)) return;
          clearTimeout(timer);
          this.inFlight -= 1;
        });
        return;
      }
    }
  }

  stopSleeping(): void {
    for (const timer of this.sleeping) clearTimeout(timer);
    this.sleeping.clear();
  }
}

const UNARY_CALL_DEFINITION: grpc.ServiceDefinition = {
  UnaryCall: UNARY_CALL_METHOD,
};

export async function startBehavingBackends(podNames: readonly string[]): Promise<BehavingBackends> {
  if (new Set(podNames).size !== podNames.length) throw new Error(`pod names must be unique: ${podNames.join(', ')}`);
  const started = await Promise.all(
    podNames.map(async (name) => {
      const backend = new Backend(name);
      const server = new grpc.Server();
      server.addService(UNARY_CALL_DEFINITION, {
        UnaryCall: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => backend.handle(call, callback),
      });
      return { backend, server, port: await bindLoopback(server) };
    }),
  );
  const find = (podName: string): (typeof started)[number] => {
    const found = started.find((s) => s.backend.podName === podName);
    if (!found) throw new Error(`no backend "${podName}" (have ${podNames.join(', ')})`);
    return found;
  };
  return {
    portOf: (podName) => find(podName).port,
    behave(podName, behaviour) {
      find(podName).backend.behaviour = behaviour;
    },
    countersOf(podName) {
      const { attempts, maxInFlight, inFlight } = find(podName).backend;
      return { attempts, maxInFlight, inFlight };
    },
    resetCounters() {
      for (const { backend } of started) {
        backend.attempts = 0;
        backend.maxInFlight = backend.inFlight;
      }
    },
    async stop() {
      for (const { backend } of started) backend.stopSleeping();
      await Promise.all(started.map((s) => shutdownServer(s.server)));
    },
  };
}
