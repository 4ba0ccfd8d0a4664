/** Starts a real tsiod XdsServer on 127.0.0.1:0 over the fixture mesh. */
import pino from 'pino';
import { XdsServer } from '../../../../src/xds/server/xds-server.js';
import type { XdsServerObserver } from '../../../../src/xds/server/observer.js';
import { silentObserver } from '../../../../src/xds/server/observer.js';
import { endpointPush, fullPush } from '../../../../src/push/push-request.js';
import { AdsTestClient } from './ads-test-client.js';
import { fixtureGenerators, fixtureSnapshot, type MeshShape } from './fixture-mesh.js';

export interface FixtureServer {
  readonly server: XdsServer;
  readonly client: AdsTestClient;
  readonly events: { nacks: string[]; staleNonces: number; rejectedStreams: string[] };
  /** Replaces the mesh with a full push. */
  setMesh(shape: MeshShape): Promise<void>;
  /** Replaces the mesh with an endpoint-only push for `hosts`. */
  setEndpoints(shape: MeshShape, hosts: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startFixtureServer(shape: MeshShape): Promise<FixtureServer> {
  const events = { nacks: [] as string[], staleNonces: 0, rejectedStreams: [] as string[] };
  const observer: XdsServerObserver = {
    ...silentObserver,
    nacked: (_p, _t, detail) => events.nacks.push(detail.message),
    staleNonce: () => { events.staleNonces++; },
    streamRejected: (reason) => events.rejectedStreams.push(reason),
  };
  const server = new XdsServer({ generators: fixtureGenerators, logger: pino({ level: 'silent' }), observer });
  await server.push(fixtureSnapshot(shape), fullPush('initial'));
  const port = await server.listen('127.0.0.1', 0);
  const client = new AdsTestClient(port);
  return {
    server, client, events,
    setMesh: (next) => server.push(fixtureSnapshot(next), fullPush('config')),
    setEndpoints: (next, hosts) => server.push(fixtureSnapshot(next), endpointPush(hosts)),
    close: async () => {
      client.close();
      await server.close();
    },
  };
}
