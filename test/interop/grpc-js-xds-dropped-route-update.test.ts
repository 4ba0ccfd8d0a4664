/**
 * Reproduction of a bug in @grpc/grpc-js-xds (1.14.1, the latest release at
 * the time of writing): a RouteConfiguration update whose only change adds an
 * entry to a proto map, such as a route's typed_per_filter_config when a
 * VirtualService gains a `fault`, is ACKed and then dropped.
 *
 * xds-client.js:216 keeps the cached resource and notifies no watcher when
 * `resourcesEqual(cached, update)`; XdsResourceType.resourcesEqual is
 * deepEqual (xds-resource-type.js:44, src/xds-resource-type/xds-resource-type.ts:62),
 * which compares objects over `Object.entries(value1)` only, the cached
 * copy's keys. A key present only in the update is never looked at. The stale
 * copy stays cached, so later updates that also only add that entry are
 * dropped as well; a change to any field the cached copy has gets through.
 *
 * istiod sends the same routes to proxyless gRPC (grpcgen builds them with
 * BuildSidecarOutboundVirtualHosts, fault config included), so this is not
 * tsiod's to fix. When these tests fail because grpc-js applies the update,
 * the bug is fixed: remove knownGaps.faultAddedToUnchangedRoute from
 * traffic-grpc-js.test.ts and delete this file.
 */
// First import: grpc-js reads GRPC_TRACE once, when it loads; the ACKs are read from its xds_client trace.
import './drivers/grpc-js-trace-env.js';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { envoyType } from '../../src/xds/proto/envoy-protos.js';
import { packageVersion } from './drivers/grpc-js-driver.js';
import { startGrpcJsProbe } from './drivers/grpc-js-probe.js';
import { awaitResult } from './scenarios/await-probe.js';
import { printDiagnostics, startTrafficFixture, stopTrafficFixture, type TrafficFixture } from './scenarios/traffic-fixture.js';
import { answered, describeResult, type ProbeResult } from './scenarios/traffic-probe.js';
import * as routing from './scenarios/traffic-routing.js';

const require = createRequire(import.meta.url);
const XDS_VERSION = packageVersion('@grpc/grpc-js-xds');
const FIXED = `grpc-js-xds ${XDS_VERSION} no longer drops the update: lift knownGaps.faultAddedToUnchangedRoute in traffic-grpc-js.test.ts`;

const RDS_TYPE_URL = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
const FAULT_FILTER = 'envoy.filters.http.fault';
const HTTP_FAULT_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

interface EncodedAny {
  readonly type_url: string;
  readonly value: Uint8Array;
}

/** The parts of grpc-js-xds's internal XdsResourceType used here (not public API: read from its build). */
interface ResourceTypeInternals {
  decode(context: object, resource: EncodedAny): { readonly value?: object; readonly error?: string };
  resourcesEqual(cached: object | null, update: object | null): boolean;
}

function routeConfigurationType(): ResourceTypeInternals {
  // The route config validator rejects a per-filter config whose filter is not registered.
  (require('@grpc/grpc-js-xds/build/src/http-filter/fault-injection-filter.js') as { setup(): void }).setup();
  const module = require('@grpc/grpc-js-xds/build/src/xds-resource-type/route-config-resource-type.js') as {
    RouteConfigurationResourceType: { get(): ResourceTypeInternals };
  };
  return module.RouteConfigurationResourceType.get();
}

/** One route to cluster "c", with an abort-503-at-100% HTTPFault as its typed_per_filter_config or none. */
function routeConfiguration(withFault: boolean): EncodedAny {
  const httpFault = envoyType('envoy.extensions.filters.http.fault.v3.HTTPFault');
  const fault = httpFault.encode(httpFault.fromObject({ abort: { httpStatus: 503, percentage: { numerator: 100, denominator: 'HUNDRED' } } })).finish();
  const route: Record<string, unknown> = { match: { prefix: '/' }, route: { cluster: 'c' } };
  // protobufjs's built-in google.protobuf.Any keeps the proto field names.
  if (withFault) route['typedPerFilterConfig'] = { [FAULT_FILTER]: { type_url: HTTP_FAULT_TYPE_URL, value: fault } };
  const type = envoyType('envoy.config.route.v3.RouteConfiguration');
  const message = type.fromObject({ name: 'r', virtualHosts: [{ name: 'vh', domains: ['*'], routes: [route] }] });
  return { type_url: RDS_TYPE_URL, value: type.encode(message).finish() };
}

/** Versions of the RouteConfiguration the client ACKed, oldest first, from grpc-js's xds_client trace of its requests. */
function ackedRouteVersions(trace: string): string[] {
  const request =
    /"type_url": "type\.googleapis\.com\/envoy\.config\.route\.v3\.RouteConfiguration",\s*"response_nonce": "[^"]+",\s*"resource_names": \[[^\]]*\],\s*"version_info": "([^"]+)",\s*"error_detail": null/g;
  return [...trace.matchAll(request)].map((m) => m[1] ?? '');
}

const allAnsweredBy = (r: ProbeResult, backend: string): boolean =>
  Object.keys(r.failuresByCode).length === 0 && Object.keys(r.byBackend).join() === backend;
const allFailWith = (r: ProbeResult, code: string): boolean => answered(r) === 0 && Object.keys(r.failuresByCode).join() === code;

describe(`@grpc/grpc-js-xds ${XDS_VERSION} drops a RouteConfiguration update whose only change adds a typed_per_filter_config entry`, () => {
  it('resourcesEqual(cached, update) is true when only the update has the entry, false the other way round', () => {
    const type = routeConfigurationType();
    const without = type.decode({}, routeConfiguration(false));
    const withFault = type.decode({}, routeConfiguration(true));
    expect(without.error, 'grpc-js accepts the route without the fault').toBeUndefined();
    expect(withFault.error, 'grpc-js accepts the route with the fault').toBeUndefined();
    if (!without.value || !withFault.value) throw new Error('grpc-js decoded no value');
    // The two decoded values really differ: the update has the fault and the cached copy has not.
    expect(Object.keys(JSON.parse(JSON.stringify(withFault.value)).virtual_hosts[0].routes[0].typed_per_filter_config)).toEqual([FAULT_FILTER]);
    expect(Object.keys(JSON.parse(JSON.stringify(without.value)).virtual_hosts[0].routes[0].typed_per_filter_config)).toEqual([]);
    // Removing the entry is noticed...
    expect(type.resourcesEqual(withFault.value, without.value)).toBe(false);
    // ...adding it is not: xds-client.js returns before caching or notifying anyone.
    expect(type.resourcesEqual(without.value, withFault.value), FIXED).toBe(true);
  });

  describe('end to end: a VirtualService gains a fault (abort 503 at 100%) through tsiod', () => {
    let partial: Partial<TrafficFixture> = {};
    afterAll(async () => stopTrafficFixture(partial));

    it('the client ACKs the route carrying the fault yet keeps answering; once another route field changes too, every RPC fails UNAVAILABLE', async ({ onTestFailed }) => {
      onTestFailed(async () => printDiagnostics(`grpc-js-xds ${XDS_VERSION}`, 'reproduction failed', partial));
      const fixture = await startTrafficFixture(
        routing.plainRoute('v1'),
        (xdsPort) => startGrpcJsProbe('xds:///reviews', { xdsPort, nodeId: 'tsiod-grpc-js-dropped-update', metadata: { GENERATOR: 'grpc' } }),
        (p) => (partial = p),
      );
      const { mesh, probe } = fixture;
      const send = (p: typeof probe): Promise<ProbeResult> => p.send({ rpcs: 20, deadlineSeconds: 2, concurrency: 4 });
      await awaitResult(probe, send, (r) => allAnsweredBy(r, 'reviews-v1'), 'answering from reviews-v1', 20_000);
      const before = ackedRouteVersions(probe.recentLogs()).at(-1);
      expect(before, 'an ACKed RouteConfiguration in the xds_client trace').toBeDefined();

      await mesh.setRouting(routing.fault({ abort: { httpStatus: 503, percentage: { value: 100 } } }));
      const start = performance.now();
      while (ackedRouteVersions(probe.recentLogs()).at(-1) === before && performance.now() - start < 15_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const acked = ackedRouteVersions(probe.recentLogs()).at(-1);
      expect(acked, 'the client ACKed a new RouteConfiguration version').not.toBe(before);
      const afterAck = await send(probe);
      console.info(`grpc-js-xds ${XDS_VERSION}: RouteConfiguration ${before} → ${acked} (fault added) ACKed; RPCs then: ${describeResult(afterAck)}`);
      expect(allAnsweredBy(afterAck, 'reviews-v1'), `${FIXED}: ${describeResult(afterAck)}`).toBe(true);

      // The same fault with a timeout too: the route gains max_stream_duration, a field the cached copy has (as null).
      await mesh.setRouting([
        routing.virtualService([{ route: [routing.destination('v1')], fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }, timeout: '30s' }]),
        routing.destinationRule(),
      ]);
      await awaitResult(probe, send, (r) => allFailWith(r, 'UNAVAILABLE'), 'failing every RPC UNAVAILABLE once the route also changed elsewhere', 15_000);
    }, 90_000);
  });
});
