/**
 * An incremental (Delta) ADS client behaving like Envoy: wildcard CDS and
 * LDS, explicit resource_names_subscribe/unsubscribe for EDS and RDS as
 * clusters and listeners come and go, and every response ACKed with its
 * nonce.
 */
import { AdsClient, type TypeState } from './ads-client.js';
import { CopyOnWriteNameSet, NameList } from './name-list.js';
import { CLUSTER_TYPE, edsNameOfCluster, ENDPOINT_TYPE, LISTENER_TYPE, ROUTE_TYPE, type ResponseContent } from './response-memo.js';
import { encodeDeltaRequest, type DeltaRequest, type ScannedResponse } from './xds-messages.js';

export class DeltaClient extends AdsClient {
  protected readonly format = 'delta';
  protected readonly method = 'DeltaAggregatedResources';
  private readonly edsSubscription = new CopyOnWriteNameSet();
  private readonly rdsSubscription = new CopyOnWriteNameSet();

  protected edsWanted(): NameList {
    return this.edsSubscription.toList();
  }

  protected rdsWanted(): NameList {
    return this.rdsSubscription.toList();
  }

  protected sendInitialRequest(): void {
    // An empty first subscribe on CDS/LDS is Envoy's (legacy) wildcard.
    this.request(this.cds, { typeUrl: CLUSTER_TYPE });
  }

  protected onResponse(typeUrl: string, scanned: ScannedResponse, content: ResponseContent): void {
    const state = this.stateOf(typeUrl);
    if (!state) return;
    state.known.addAll(content.names);
    state.known.deleteAll(scanned.removed);
    this.ack(typeUrl, state, scanned);
    switch (typeUrl) {
      case CLUSTER_TYPE: {
        const removedEds = scanned.removed.map(edsNameOfCluster).filter((n): n is string => n !== undefined && this.edsSubscription.has(n));
        this.updateSubscription(ENDPOINT_TYPE, this.eds, this.edsSubscription, content.edsNames, removedEds);
        this.maybeRequestListeners();
        break;
      }
      case ENDPOINT_TYPE:
        this.maybeRequestListeners();
        break;
      case LISTENER_TYPE:
        // Route names of removed listeners are not unsubscribed: the bench never removes listeners.
        this.updateSubscription(ROUTE_TYPE, this.rds, this.rdsSubscription, content.routeNames, []);
        break;
      default:
        break;
    }
  }

  private updateSubscription(typeUrl: string, state: TypeState, subscription: CopyOnWriteNameSet, wanted: NameList, removed: readonly string[]): void {
    // The first subscription is a whole shared list, encoded once for every client.
    const added: NameList | string[] = subscription.size === 0 ? wanted : subscription.missingFrom(wanted);
    const addedCount = added instanceof NameList ? added.size : added.length;
    if (addedCount === 0 && removed.length === 0) return;
    subscription.addAll(wanted);
    subscription.deleteAll(removed);
    this.request(state, { typeUrl, subscribe: added, unsubscribe: removed });
  }

  private maybeRequestListeners(): void {
    if (!this.lds.requested && this.clustersWarm()) this.request(this.lds, { typeUrl: LISTENER_TYPE });
  }

  private ack(typeUrl: string, state: TypeState, scanned: ScannedResponse): void {
    state.versionInfo = scanned.versionInfo;
    state.nonce = scanned.nonce;
    state.acked = true;
    this.request(state, { typeUrl, responseNonce: scanned.nonce });
  }

  private request(state: TypeState, req: DeltaRequest): void {
    state.requested = true;
    const node = this.nodeOnce();
    this.send(encodeDeltaRequest({ ...req, node }));
  }
}
