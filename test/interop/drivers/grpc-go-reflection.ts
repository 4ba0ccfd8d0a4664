/**
 * Builds a grpc-js client for a service from the serving peer's own gRPC
 * server reflection, so no third-party .proto (here grpc.testing's) is ever
 * committed: the peer sends the FileDescriptorProtos of the file declaring the
 * service and of everything it imports. Only reflection.proto is read from
 * disk, from the @grpc/reflection package.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadFileDescriptorSetFromObject, loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';

const REFLECTION_SERVICE = 'grpc.reflection.v1.ServerReflection';

/** How the built clients (de)serialize: field names as in the .proto, enums as names, defaults filled in. */
export const LOADER_OPTIONS: Options = { keepCase: true, enums: String, longs: Number, defaults: true, oneofs: true };

/** The fields of grpc.reflection.v1.ServerReflectionResponse read here. */
interface ReflectionResponse {
  readonly file_descriptor_response?: { readonly file_descriptor_proto?: readonly Buffer[] } | null;
  readonly error_response?: { readonly error_code?: number; readonly error_message?: string } | null;
}

function reflectionProtoDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
}

/** The client constructor for a service of a loaded package definition. */
export function serviceClient(definition: PackageDefinition, service: string): grpc.ServiceClientConstructor {
  const methods = definition[service];
  if (!methods || 'format' in methods) throw new Error(`no service ${service} in the loaded descriptors`);
  return grpc.makeClientConstructor(methods as grpc.ServiceDefinition, service);
}

let reflectionConstructor: grpc.ServiceClientConstructor | undefined;

function reflectionClient(address: string): InstanceType<grpc.ServiceClientConstructor> {
  reflectionConstructor ??= serviceClient(
    loadSync('grpc/reflection/v1/reflection.proto', { ...LOADER_OPTIONS, includeDirs: [reflectionProtoDir()] }),
    REFLECTION_SERVICE,
  );
  return new reflectionConstructor(address, grpc.credentials.createInsecure());
}

/** Asks the server at `address` for the file declaring `symbol`, with its imports, as encoded FileDescriptorProtos. */
function fetchFileDescriptors(address: string, symbol: string, deadlineMs: number): Promise<readonly Buffer[]> {
  const client = reflectionClient(address);
  return new Promise<readonly Buffer[]>((resolve, reject) => {
    const info = client['ServerReflectionInfo'] as (options: grpc.CallOptions) => grpc.ClientDuplexStream<object, ReflectionResponse>;
    const call = info.call(client, { deadline: Date.now() + deadlineMs });
    let settled = false;
    call.on('data', (response: ReflectionResponse) => {
      settled = true;
      const error = response.error_response;
      if (error) reject(new Error(`reflection for ${symbol} at ${address}: code ${error.error_code}: ${error.error_message}`));
      else resolve(response.file_descriptor_response?.file_descriptor_proto ?? []);
      call.end();
    });
    call.on('error', (error: Error) => {
      if (!settled) reject(error);
    });
    call.on('end', () => {
      if (!settled) reject(new Error(`reflection at ${address} ended without an answer for ${symbol}`));
    });
    call.write({ file_containing_symbol: symbol });
  }).finally(() => client.close());
}

/** A grpc-js client constructor for `service`, described by the server at `address` itself. */
export async function serviceClientByReflection(
  address: string,
  service: string,
  deadlineMs: number,
): Promise<grpc.ServiceClientConstructor> {
  const files = await fetchFileDescriptors(address, service, deadlineMs);
  const definition = loadFileDescriptorSetFromObject(
    { file: files.map((bytes) => descriptor.FileDescriptorProto.decode(bytes)) },
    LOADER_OPTIONS,
  );
  return serviceClient(definition, service);
}
