/**
 * A deliberately broken xDS server (SotW ADS on 127.0.0.1) that answers every
 * Listener request with a Listener no gRPC client may accept: it has no
 * api_listener, address or filter chains. It exists to prove that the interop
 * suites' NACK checks can fail, and records the NACKs clients send it.
 */
import * as grpc from '@grpc/grpc-js';
import { envoyType } from '../../src/xds/proto/envoy-protos.js';
import { ListenerType } from '../../src/xds/proto/type-urls.js';

const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

/** The DiscoveryRequest fields read here (protobufjs object, camelCase). */
interface DiscoveryRequest {
  readonly typeUrl?: string;
  readonly resourceNames?: readonly string[];
  readonly responseNonce?: string;
  readonly errorDetail?: { readonly message?: string } | null;
}

export interface ReceivedNack {
  readonly typeUrl: string;
  readonly message: string;
}

export interface NackingAdsServer {
  readonly port: number;
  /** NACKs received so far (DiscoveryRequests with error_detail). */
  readonly nacks: readonly ReceivedNack[];
  stop(): Promise<void>;
}

/** An Any holding the Listener. protobufjs's built-in Any keeps the snake_case field name. */
function invalidListener(name: string): { type_url: string; value: Uint8Array } {
  const Listener = envoyType('envoy.config.listener.v3.Listener');
  return { type_url: ListenerType, value: Listener.encode(Listener.fromObject({ name })).finish() };
}

export async function startNackingAdsServer(): Promise<NackingAdsServer> {
  const Request = envoyType('envoy.service.discovery.v3.DiscoveryRequest');
  const Response = envoyType('envoy.service.discovery.v3.DiscoveryResponse');
  const nacks: ReceivedNack[] = [];
  let nonce = 0;

  const definition: grpc.ServiceDefinition = {
    StreamAggregatedResources: {
      path: ADS_PATH,
      requestStream: true,
      responseStream: true,
      requestSerialize: (): Buffer => {
        throw new Error('a server never serializes requests');
      },
      requestDeserialize: (bytes: Buffer): DiscoveryRequest => Request.toObject(Request.decode(bytes)) as DiscoveryRequest,
      responseSerialize: (response: Record<string, unknown>): Buffer =>
        Buffer.from(Response.encode(Response.fromObject(response)).finish()),
      responseDeserialize: (): Record<string, unknown> => {
        throw new Error('a server never deserializes responses');
      },
    },
  };
  const handler: grpc.handleBidiStreamingCall<DiscoveryRequest, Record<string, unknown>> = (call) => {
    call.on('data', (request: DiscoveryRequest) => {
      if (request.errorDetail) {
        nacks.push({ typeUrl: request.typeUrl ?? '', message: request.errorDetail.message ?? '' });
        return;
      }
      // Only first requests get an answer; ACKs (with a nonce) need none.
      if (request.typeUrl !== ListenerType || request.responseNonce) return;
      nonce += 1;
      call.write({
        versionInfo: '1',
        nonce: String(nonce),
        typeUrl: ListenerType,
        resources: (request.resourceNames ?? []).map(invalidListener),
      });
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  };

  const server = new grpc.Server();
  server.addService(definition, { StreamAggregatedResources: handler });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  return {
    port,
    nacks,
    async stop(): Promise<void> {
      server.forceShutdown();
    },
  };
}
