/** What route translation needs to know besides the VirtualService itself. */
import type { MeshSnapshot } from '../../../model/types.js';
import type { ClientKind } from '../common/proxy-kind.js';

export interface RouteContext {
  readonly snapshot: MeshSnapshot;
  /** The port the client connected to: the default destination port and the filter for match.port. */
  readonly listenerPort: number;
  readonly client: ClientKind;
  /** The client's namespace: VirtualService and DestinationRule visibility and precedence depend on it. */
  readonly proxyNamespace: string;
  /**
   * The client's DestinationRule view (destinationRuleView of its namespace
   * and labels): it names the workloadSelector rules that select the client.
   * Absent: the namespace's rules without a selector only.
   */
  readonly destinationRuleView?: string;
  /**
   * The gateway the routes are built for: "mesh" for sidecars and proxyless
   * clients, "namespace/name" of the Gateway for a gateway proxy. A match
   * naming gateways applies only when this one is among them.
   */
  readonly gateway: string;
  /**
   * The client's labels that some match.sourceLabels names (see
   * sourceLabelsKey): a match with sourceLabels applies only when they are
   * all among these. Absent: no labels, so such matches never apply.
   */
  readonly proxyLabels?: Readonly<Record<string, string>>;
  /** The server terminates TLS (a gateway's HTTPS server): a redirect without a scheme keeps https. */
  readonly tls?: boolean;
}
