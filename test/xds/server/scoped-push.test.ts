/**
 * A scoped full push reaches only proxies in its namespaces: after
 * server.push resolves, every targeted stream has been written to, so the
 * other stream's last nonce proves it was left alone (no waiting involved).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { fullPush, mergePushRequests, scopedPush, endpointPush } from '../../../src/push/push-request.js';
import { silentObserver } from '../../../src/xds/server/observer.js';
import { XdsServer } from '../../../src/xds/server/xds-server.js';
import { ClusterType } from '../../../src/xds/proto/type-urls.js';
import { AdsTestClient, sidecarNode, type SotwResponse } from './support/ads-test-client.js';
import { fixtureGenerators, fixtureSnapshot } from './support/fixture-mesh.js';

const A = 'a.default.svc.cluster.local';
const nodeIn = (namespace: string) => sidecarNode(`sidecar~127.0.0.1~app-1.${namespace}~${namespace}.svc.cluster.local`);

let server: XdsServer | undefined;
let client: AdsTestClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
});

describe('scoped pushes', () => {
  it('reach only proxies in the scope namespaces', async () => {
    server = new XdsServer({ generators: fixtureGenerators, logger: pino({ level: 'silent' }), observer: silentObserver });
    await server.push(fixtureSnapshot({ [A]: ['127.0.0.1'] }), fullPush('initial'));
    client = new AdsTestClient(await server.listen('127.0.0.1', 0));
    const streams = new Map<string, ReturnType<AdsTestClient['sotw']>>();
    const first = new Map<string, SotwResponse>();
    for (const ns of ['shop', 'bookstore']) {
      const s = client.sotw();
      s.send({ node: nodeIn(ns), type_url: ClusterType });
      const r = await s.next();
      s.send({ type_url: ClusterType, version_info: r.version_info, response_nonce: r.nonce });
      streams.set(ns, s);
      first.set(ns, r);
    }
    const nonceOf = (ns: string): string | undefined =>
      server!.syncStatus().find((c) => c.proxyId.includes(`.${ns}~`))?.types.find((t) => t.typeUrl === ClusterType)?.lastNonce;
    expect(nonceOf('shop')).toBe(first.get('shop')!.nonce);

    // The fixture CDS changes with the mesh, so a proxy that is pushed to gets a new response.
    await server.push(fixtureSnapshot({ [A]: ['127.0.0.1'], 'b.default.svc.cluster.local': ['127.0.0.2'] }), scopedPush('config', ['shop']));
    expect(nonceOf('shop')).not.toBe(first.get('shop')!.nonce);
    expect((await streams.get('shop')!.next()).resources).toHaveLength(2);
    expect(nonceOf('bookstore')).toBe(first.get('bookstore')!.nonce);
  });

  it('merge as the union of their namespaces, and anything merged with an unscoped request is unscoped', () => {
    const merged = mergePushRequests(scopedPush('config', ['a']), scopedPush('config', ['b']));
    expect([...merged.namespaces!].sort()).toEqual(['a', 'b']);
    expect(mergePushRequests(scopedPush('config', ['a']), endpointPush(['x'])).namespaces).toBeUndefined();
    expect(mergePushRequests(fullPush('config'), scopedPush('config', ['a'])).namespaces).toBeUndefined();
  });
});
