/**
 * Entry point of a simulator process (forked by bench/run.ts). Runs its share
 * of the simulated Envoys and reports to the parent over IPC; events are
 * batched so that reporting 5,000 clients does not itself load the CPU.
 */
import type { AdsClient } from './ads-client.js';
import { DeltaClient } from './delta-client.js';
import type { ClientSpec, ParentToSim, SimStatus, SimToParent } from './ipc-protocol.js';
import { encodeSidecarNode } from './sidecar-node.js';
import { nowMs, SimContext, type SimEventSink } from './sim-context.js';
import { SotwClient } from './sotw-client.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const FLUSH_INTERVAL_MS = 100;
const MAX_SAMPLES = 10;

function send(message: SimToParent): void {
  process.send?.(message);
}

class BatchingSink implements SimEventSink {
  private convergedEvents: [number, number][] = [];
  private watchEvents = new Map<number, [number, number][]>();
  failedCount = 0;
  readonly errorSamples: string[] = [];
  /** When this simulator began connecting; failures are reported relative to it. */
  connectAt = 0;

  converged(index: number, at: number): void {
    this.convergedEvents.push([index, at]);
  }

  watchedAck(index: number, changeId: number, at: number): void {
    let list = this.watchEvents.get(changeId);
    if (!list) {
      list = [];
      this.watchEvents.set(changeId, list);
    }
    list.push([index, at]);
  }

  failed(index: number, message: string): void {
    this.failedCount++;
    const after = this.connectAt ? ` at +${((nowMs() - this.connectAt) / 1000).toFixed(1)} s` : '';
    if (this.errorSamples.length < MAX_SAMPLES) this.errorSamples.push(`client ${index}${after}: ${message}`);
  }

  flush(): void {
    if (this.convergedEvents.length) {
      send({ kind: 'converged', events: this.convergedEvents });
      this.convergedEvents = [];
    }
    for (const [changeId, events] of this.watchEvents) send({ kind: 'watchAcks', changeId, events });
    this.watchEvents.clear();
  }
}

const sink = new BatchingSink();
const ctx = new SimContext(sink);
let clients: AdsClient[] = [];

function createClient(spec: ClientSpec, target: string): AdsClient {
  const node = encodeSidecarNode(spec.identity);
  return spec.mode === 'sotw' ? new SotwClient(spec.index, node, target, ctx) : new DeltaClient(spec.index, node, target, ctx);
}

function status(): SimStatus {
  const cpu = process.cpuUsage();
  const unconverged = clients.filter((c) => !c.isConverged);
  return {
    clients: clients.length,
    converged: clients.length - unconverged.length,
    failed: sink.failedCount,
    lastResponseAt: ctx.stats.lastResponseAt,
    bytesReceived: ctx.stats.bytesReceived,
    bytesSent: ctx.stats.bytesSent,
    responsesByType: Object.fromEntries(ctx.stats.byType),
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    rssBytes: process.memoryUsage.rss(),
    eventLoopDelayMaxMs: loopDelay.max / 1e6,
    memoHits: ctx.memo.hits,
    memoMisses: ctx.memo.misses,
    errorSamples: sink.errorSamples,
    unconvergedSamples: unconverged.slice(0, 3).map((c) => c.describeProgress()),
  };
}

const flushTimer = setInterval(() => sink.flush(), FLUSH_INTERVAL_MS);
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

process.on('message', (raw: unknown) => {
  const message = raw as ParentToSim;
  switch (message.kind) {
    case 'prepare':
      clients = message.clients.map((spec) => createClient(spec, message.target));
      send({ kind: 'prepared', clients: clients.length });
      break;
    case 'connect':
      loopDelay.reset();
      sink.connectAt = nowMs();
      send({ kind: 'connecting', at: sink.connectAt });
      for (const c of clients) c.connect();
      break;
    case 'watch':
      ctx.watch = { changeId: message.changeId, host: message.host };
      send({ kind: 'watching', changeId: message.changeId });
      break;
    case 'status':
      sink.flush();
      send({ kind: 'status', status: status() });
      break;
    case 'stop':
      for (const c of clients) c.close();
      sink.flush();
      clearInterval(flushTimer);
      // Exiting explicitly (once the reply is out) also writes a --cpu-prof profile.
      process.send?.({ kind: 'stopped' } satisfies SimToParent, () => process.exit(0));
      break;
  }
});
