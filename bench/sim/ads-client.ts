/**
 * One simulated Envoy: its own gRPC channel and one ADS stream. Subclasses
 * speak SotW or Delta; this class owns the connection, the per-type state
 * and the definition of "converged".
 *
 * Converged: the client has ACKed at least one CDS and one LDS response,
 * has received (and ACKed) every EDS name its clusters need and every RDS
 * name its listeners need. Types with nothing to subscribe to count as done.
 */
import * as grpc from '@grpc/grpc-js';
import { CopyOnWriteNameSet, type NameList } from './name-list.js';
import type { ResponseContent, WireFormat } from './response-memo.js';
import { CLUSTER_TYPE, ENDPOINT_TYPE, LISTENER_TYPE, ROUTE_TYPE } from './response-memo.js';
import { nowMs, type SimContext } from './sim-context.js';
import { scanResponse, type ScannedResponse } from './xds-messages.js';

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // One TCP connection per client, as with real Envoys; grpc-js would otherwise
  // multiplex every channel to the same target over one shared subchannel.
  'grpc.use_local_subchannel_pool': 1,
  // A 1,000-service CDS/EDS response exceeds grpc-js's 4 MiB default.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // Envoy's HTTP/2 default initial stream and connection windows (256 MiB). With Node's
  // 64 KiB default, every large response would wait on WINDOW_UPDATE round trips through
  // two busy event loops, throttling the server in a way real Envoys do not.
  'grpc-node.flow_control_window': 256 * 1024 * 1024,
  // Per-channel bookkeeping that Envoy does not have and that costs the simulator CPU at 5,000 channels.
  'grpc.enable_channelz': 0,
  'grpc.enable_retries': 0,
};

/** What one client knows about one resource type. */
export class TypeState {
  /** Resource names received and ACKed. */
  readonly known = new CopyOnWriteNameSet();
  versionInfo = '';
  nonce = '';
  acked = false;
  requested = false;
}

const identity = (b: Buffer): Buffer => b;

export abstract class AdsClient {
  protected readonly cds = new TypeState();
  protected readonly eds = new TypeState();
  protected readonly lds = new TypeState();
  protected readonly rds = new TypeState();
  private client: grpc.Client | undefined;
  private stream: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  private convergedAt = 0;
  private lastWatchedChange = -1;
  private closed = false;
  private nodeSent = false;

  constructor(
    readonly index: number,
    private readonly node: Uint8Array,
    private readonly target: string,
    protected readonly ctx: SimContext,
  ) {}

  protected abstract readonly format: WireFormat;
  protected abstract readonly method: string;
  /** EDS names the client currently subscribes to. */
  protected abstract edsWanted(): NameList;
  /** RDS names the client currently subscribes to. */
  protected abstract rdsWanted(): NameList;
  protected abstract sendInitialRequest(): void;
  protected abstract onResponse(typeUrl: string, scanned: ScannedResponse, content: ResponseContent): void;

  get isConverged(): boolean {
    return this.convergedAt > 0;
  }

  connect(): void {
    this.client = new grpc.Client(this.target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const stream = this.client.makeBidiStreamRequest<Buffer, Buffer>(`${SERVICE}/${this.method}`, identity, identity);
    this.stream = stream;
    stream.on('data', (buf: Buffer) => this.receive(buf));
    stream.on('error', (err: Error) => this.fail(err.message));
    stream.on('end', () => this.fail('stream ended by server'));
    this.sendInitialRequest();
  }

  close(): void {
    this.closed = true;
    this.stream?.cancel();
    this.client?.close();
  }

  /** One line on what an unconverged client still lacks, for diagnosis. */
  describeProgress(): string {
    const parts = [`client ${this.index} (${this.format})`];
    for (const [name, state] of [['cds', this.cds], ['eds', this.eds], ['lds', this.lds], ['rds', this.rds]] as const) {
      parts.push(`${name}: ${state.requested ? (state.acked ? `acked ${state.known.size}` : 'requested') : 'not requested'}`);
    }
    const edsMissing = this.edsWanted().names.filter((n) => !this.eds.known.has(n));
    const rdsMissing = this.rdsWanted().names.filter((n) => !this.rds.known.has(n));
    if (edsMissing.length) parts.push(`eds missing ${edsMissing.length} e.g. ${edsMissing.slice(0, 3).join(' ')}`);
    if (rdsMissing.length) parts.push(`rds missing ${rdsMissing.join(' ')}`);
    return parts.join(', ');
  }

  /** The Node, for the first request on the stream only (as Envoy sends it). */
  protected nodeOnce(): Uint8Array | undefined {
    if (this.nodeSent) return undefined;
    this.nodeSent = true;
    return this.node;
  }

  protected send(bytes: Buffer): void {
    this.ctx.stats.bytesSent += bytes.length;
    this.stream?.write(bytes);
  }

  protected stateOf(typeUrl: string): TypeState | undefined {
    switch (typeUrl) {
      case CLUSTER_TYPE: return this.cds;
      case ENDPOINT_TYPE: return this.eds;
      case LISTENER_TYPE: return this.lds;
      case ROUTE_TYPE: return this.rds;
      default: return undefined;
    }
  }

  /** Envoy's init order: listeners are fetched once the clusters are warm (their endpoints have arrived). */
  protected clustersWarm(): boolean {
    return this.cds.acked && this.eds.known.covers(this.edsWanted());
  }

  private receive(buf: Buffer): void {
    const at = nowMs();
    const scanned = scanResponse(buf);
    this.ctx.stats.received(scanned.typeUrl, buf.length, at);
    const content = this.ctx.memo.contentOf(this.format, scanned.typeUrl, buf, scanned.resourcesRange);
    this.onResponse(scanned.typeUrl, scanned, content);
    const ackedAt = nowMs();
    if (scanned.typeUrl === ENDPOINT_TYPE) this.checkWatch(content, ackedAt);
    if (!this.convergedAt && this.computeConverged()) {
      this.convergedAt = ackedAt;
      this.ctx.events.converged(this.index, ackedAt);
    }
  }

  private computeConverged(): boolean {
    const edsWanted = this.edsWanted();
    const rdsWanted = this.rdsWanted();
    return (
      this.cds.acked &&
      this.lds.acked &&
      (edsWanted.size === 0 || (this.eds.acked && this.eds.known.covers(edsWanted))) &&
      (rdsWanted.size === 0 || (this.rds.acked && this.rds.known.covers(rdsWanted)))
    );
  }

  private checkWatch(content: ResponseContent, at: number): void {
    const watch = this.ctx.watch;
    if (!watch || this.lastWatchedChange === watch.changeId) return;
    if (!content.names.mentionsHost(watch.host)) return;
    this.lastWatchedChange = watch.changeId;
    this.ctx.events.watchedAck(this.index, watch.changeId, at);
  }

  private fail(message: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.events.failed(this.index, message);
  }
}
