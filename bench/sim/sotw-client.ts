/**
 * A State-of-the-World ADS client behaving like Envoy: CDS and LDS are
 * wildcard; EDS and RDS name exactly the resources its clusters and listeners
 * reference; every response is ACKed with its version_info and nonce, and
 * the ACK repeats the full subscription (as Envoy does).
 */
import { AdsClient, type TypeState } from './ads-client.js';
import { EMPTY_NAMES, sameNames, type NameList } from './name-list.js';
import { CLUSTER_TYPE, ENDPOINT_TYPE, LISTENER_TYPE, ROUTE_TYPE, type ResponseContent } from './response-memo.js';
import { encodeSotwRequest, type ScannedResponse } from './xds-messages.js';

export class SotwClient extends AdsClient {
  protected readonly format = 'sotw';
  protected readonly method = 'StreamAggregatedResources';
  private edsSubscription: NameList = EMPTY_NAMES;
  private rdsSubscription: NameList = EMPTY_NAMES;

  protected edsWanted(): NameList {
    return this.edsSubscription;
  }

  protected rdsWanted(): NameList {
    return this.rdsSubscription;
  }

  protected sendInitialRequest(): void {
    this.request(CLUSTER_TYPE, this.cds, EMPTY_NAMES);
  }

  protected onResponse(typeUrl: string, scanned: ScannedResponse, content: ResponseContent): void {
    switch (typeUrl) {
      case CLUSTER_TYPE: {
        this.cds.known.replace(content.names);
        this.ack(CLUSTER_TYPE, this.cds, scanned, EMPTY_NAMES);
        if (!sameNames(content.edsNames, this.edsSubscription)) {
          this.edsSubscription = content.edsNames;
          this.request(ENDPOINT_TYPE, this.eds, this.edsSubscription);
        }
        this.maybeRequestListeners();
        break;
      }
      case ENDPOINT_TYPE:
        this.eds.known.addAll(content.names);
        this.ack(ENDPOINT_TYPE, this.eds, scanned, this.edsSubscription);
        this.maybeRequestListeners();
        break;
      case LISTENER_TYPE:
        this.lds.known.replace(content.names);
        this.ack(LISTENER_TYPE, this.lds, scanned, EMPTY_NAMES);
        if (!sameNames(content.routeNames, this.rdsSubscription)) {
          this.rdsSubscription = content.routeNames;
          this.request(ROUTE_TYPE, this.rds, this.rdsSubscription);
        }
        break;
      case ROUTE_TYPE:
        this.rds.known.addAll(content.names);
        this.ack(ROUTE_TYPE, this.rds, scanned, this.rdsSubscription);
        break;
      default:
        break;
    }
  }

  private maybeRequestListeners(): void {
    if (!this.lds.requested && this.clustersWarm()) this.request(LISTENER_TYPE, this.lds, EMPTY_NAMES);
  }

  private ack(typeUrl: string, state: TypeState, scanned: ScannedResponse, names: NameList): void {
    state.versionInfo = scanned.versionInfo;
    state.nonce = scanned.nonce;
    state.acked = true;
    this.request(typeUrl, state, names);
  }

  /** A request (or ACK): the last accepted version and nonce of that type, plus the subscription. */
  private request(typeUrl: string, state: TypeState, names: NameList): void {
    state.requested = true;
    const node = this.nodeOnce();
    this.send(encodeSotwRequest({ node, typeUrl, versionInfo: state.versionInfo, resourceNames: names, responseNonce: state.nonce }));
  }
}
