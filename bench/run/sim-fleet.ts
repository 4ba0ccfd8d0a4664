/**
 * The simulator processes as one fleet: forks them, splits the clients
 * round-robin between them, and merges what they report (convergence and
 * watched-change ACK times per client, traffic and CPU counters).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientSpec, ParentToSim, SimStatus, SimToParent } from '../sim/ipc-protocol.js';
import { waitUntil } from './stats.js';

const SIM_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sim', 'sim-main.ts');

class SimHandle {
  private readonly waiters: { kind: SimToParent['kind']; resolve: (m: SimToParent) => void }[] = [];
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess, onMessage: (m: SimToParent) => void) {
    child.on('message', (raw: unknown) => {
      const message = raw as SimToParent;
      onMessage(message);
      const i = this.waiters.findIndex((w) => w.kind === message.kind);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(message);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(message: ParentToSim): void {
    this.child.send(message);
  }

  /** Sends `message` and resolves with the next reply of `kind`. */
  request<K extends SimToParent['kind']>(message: ParentToSim, kind: K): Promise<Extract<SimToParent, { kind: K }>> {
    const reply = new Promise<SimToParent>((resolve) => this.waiters.push({ kind, resolve }));
    this.send(message);
    return reply as Promise<Extract<SimToParent, { kind: K }>>;
  }
}

export interface FleetStatus {
  readonly converged: number;
  readonly failed: number;
  readonly lastResponseAt: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly responsesByType: Record<string, { count: number; bytes: number }>;
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly eventLoopDelayMaxMs: number;
  readonly memoHits: number;
  readonly memoMisses: number;
  readonly errorSamples: string[];
  readonly unconvergedSamples: string[];
}

export class SimFleet {
  private readonly sims: SimHandle[];
  /** Client index → time it converged. */
  readonly convergedAt = new Map<number, number>();
  /** Change id → (client index → time it ACKed the watched EDS update). */
  readonly watchAcks = new Map<number, Map<number, number>>();
  connectAt = 0;

  /** `cpuProfileDir`: write a V8 CPU profile of each simulator there. */
  constructor(processes: number, cpuProfileDir?: string) {
    const execArgv = [
      '--import', 'tsx',
      // A larger young generation: every client allocates response buffers at once, and with
      // the default semi-space most of them were promoted and collected by costly full GCs.
      '--max-semi-space-size=64',
      ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []),
    ];
    this.sims = Array.from({ length: processes }, () => {
      const child = fork(SIM_ENTRY, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      return new SimHandle(child, (m) => this.onMessage(m));
    });
  }

  get pids(): number[] {
    return this.sims.map((s) => s.pid);
  }

  async prepare(target: string, clients: readonly ClientSpec[]): Promise<void> {
    await Promise.all(
      this.sims.map((sim, p) => sim.request({ kind: 'prepare', target, clients: clients.filter((_, i) => i % this.sims.length === p) }, 'prepared')),
    );
  }

  /** Opens every stream; connectAt is the earliest moment any simulator started connecting. */
  async connect(): Promise<void> {
    const replies = await Promise.all(this.sims.map((sim) => sim.request({ kind: 'connect' }, 'connecting')));
    this.connectAt = Math.min(...replies.map((r) => r.at));
  }

  /** Tells every simulator to watch `host` and resolves once all of them are watching. */
  async watch(changeId: number, host: string): Promise<void> {
    this.watchAcks.set(changeId, new Map());
    await Promise.all(this.sims.map((sim) => sim.request({ kind: 'watch', changeId, host }, 'watching')));
  }

  async waitConverged(clients: number, timeoutMs: number): Promise<void> {
    await waitUntil(() => this.convergedAt.size >= clients, timeoutMs, `${clients} clients to converge`);
  }

  async waitWatchAcks(changeId: number, clients: number, timeoutMs: number): Promise<void> {
    await waitUntil(() => (this.watchAcks.get(changeId)?.size ?? 0) >= clients, timeoutMs, `${clients} ACKs of change ${changeId}`);
  }

  async status(): Promise<FleetStatus> {
    const all = (await Promise.all(this.sims.map((sim) => sim.request({ kind: 'status' }, 'status')))).map((r) => r.status);
    return mergeStatus(all);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.sims.map(async (sim) => {
        if (sim.child.connected) await sim.request({ kind: 'stop' }, 'stopped');
        const timer = setTimeout(() => sim.child.kill('SIGKILL'), 10_000);
        await sim.exited;
        clearTimeout(timer);
      }),
    );
  }

  private onMessage(message: SimToParent): void {
    if (message.kind === 'converged') {
      for (const [index, at] of message.events) if (!this.convergedAt.has(index)) this.convergedAt.set(index, at);
    } else if (message.kind === 'watchAcks') {
      const acks = this.watchAcks.get(message.changeId);
      if (acks) for (const [index, at] of message.events) if (!acks.has(index)) acks.set(index, at);
    }
  }
}

function mergeStatus(all: readonly SimStatus[]): FleetStatus {
  const responsesByType: Record<string, { count: number; bytes: number }> = {};
  for (const s of all) {
    for (const [type, v] of Object.entries(s.responsesByType)) {
      const entry = (responsesByType[type] ??= { count: 0, bytes: 0 });
      entry.count += v.count;
      entry.bytes += v.bytes;
    }
  }
  const sum = (f: (s: SimStatus) => number): number => all.reduce((n, s) => n + f(s), 0);
  return {
    converged: sum((s) => s.converged),
    failed: sum((s) => s.failed),
    lastResponseAt: Math.max(0, ...all.map((s) => s.lastResponseAt)),
    bytesReceived: sum((s) => s.bytesReceived),
    bytesSent: sum((s) => s.bytesSent),
    responsesByType,
    cpuSeconds: sum((s) => s.cpuUserMicros + s.cpuSystemMicros) / 1e6,
    rssBytes: sum((s) => s.rssBytes),
    eventLoopDelayMaxMs: Math.max(0, ...all.map((s) => s.eventLoopDelayMaxMs)),
    memoHits: sum((s) => s.memoHits),
    memoMisses: sum((s) => s.memoMisses),
    errorSamples: all.flatMap((s) => s.errorSamples).slice(0, 10),
    unconvergedSamples: all.flatMap((s) => s.unconvergedSamples).slice(0, 5),
  };
}
