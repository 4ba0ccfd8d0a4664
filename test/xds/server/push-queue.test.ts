/**
 * A connection holds at most one pending push: pushes that arrive while one
 * is being written merge into a single pending one. Exercised on the real
 * XdsConnection with a push that the test completes by hand.
 */
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { XdsConnection, type ConnectionContext } from '../../../src/xds/server/connection.js';
import { endpointPush, fullPush, type PushRequest } from '../../../src/push/push-request.js';
import { GenerationCache } from '../../../src/xds/cache/generation-cache.js';
import { NameInterner, SubscriptionInterner } from '../../../src/xds/server/name-interner.js';
import { silentObserver } from '../../../src/xds/server/observer.js';
import { SendBudget } from '../../../src/xds/server/send-budget.js';
import { fixtureGenerators } from './support/fixture-mesh.js';

class HeldPushConnection extends XdsConnection {
  readonly protocol = 'sotw' as const;
  readonly started: PushRequest[] = [];
  private release: (() => void) | undefined;
  protected override push(request: PushRequest): Promise<void> {
    this.started.push(request);
    return new Promise((resolve) => { this.release = resolve; });
  }
  finishCurrent(): void {
    const r = this.release;
    this.release = undefined;
    r?.();
  }
  identifyAs(id: string): void {
    this.identify({ id });
  }
}

function connection(): HeldPushConnection {
  const call = Object.assign(new EventEmitter(), { write: () => true, end: () => {} });
  const ctx: ConnectionContext = {
    cache: new GenerationCache(fixtureGenerators), observer: silentObserver, logger: pino({ level: 'silent' }),
    domainSuffix: 'cluster.local', names: new NameInterner(), subscriptions: new SubscriptionInterner(),
    register: () => {}, unregister: () => {}, sendBudget: new SendBudget({ limitBytes: 1024, stallMs: 1000 }),
  };
  const c = new HeldPushConnection('c1', call as never, ctx);
  c.identifyAs('sidecar~127.0.0.1~a.default~default.svc.cluster.local');
  return c;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('per-connection push queue', () => {
  it('merges pushes that arrive during a push into one pending push', async () => {
    const c = connection();
    void c.enqueuePush(endpointPush(['a']));
    await tick();
    void c.enqueuePush(endpointPush(['b']));
    void c.enqueuePush(endpointPush(['c']));
    void c.enqueuePush(fullPush('config', ['VirtualService/default/r']));
    await tick();
    expect(c.started).toHaveLength(1);
    c.finishCurrent();
    await tick();
    expect(c.started).toHaveLength(2);
    const merged = c.started[1]!;
    expect(merged.full).toBe(true);
    expect([...merged.endpointHosts].sort()).toEqual(['b', 'c']);
    expect([...merged.configsUpdated]).toEqual(['VirtualService/default/r']);
    c.finishCurrent();
    await tick();
    expect(c.started).toHaveLength(2);
  });

  it('drops queued pushes once the stream is closed', async () => {
    const c = connection();
    void c.enqueuePush(endpointPush(['a']));
    await tick();
    void c.enqueuePush(endpointPush(['b']));
    c.close();
    c.finishCurrent();
    await tick();
    expect(c.started).toHaveLength(1);
  });
});
