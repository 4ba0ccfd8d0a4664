/**
 * DestinationRules with Istio's namespace precedence
 * (PushContext.setDestinationRules / destinationRule): for a proxy, rules
 * in its own namespace first, then rules exported from the service's
 * namespace, then rules exported from the root namespace; within each, the
 * most specific host. Rules for one host in one namespace with the same
 * exportTo and selector are merged: the oldest keeps its traffic policy and
 * later ones only add subsets with new names.
 *
 * A rule with a workloadSelector applies only to the outbound traffic of
 * the workloads it selects in its own namespace (Istio's
 * SidecarScope.DestinationRule): among a host's rules, the first whose
 * selector matches the client wins, else the last without a selector. A
 * client's view (see viewOf) names the selector rules that match it, so
 * generators keyed by the view get it right without the client's labels.
 */
import { labelsMatch } from './endpoint-index.js';
import { HostTable } from './host-match.js';
import type { ConsolidatedDestinationRule, DestinationRuleSpec, IstioConfig, Subset } from './types.js';

type DestinationRule = IstioConfig<DestinationRuleSpec>;

/** Between a view's namespace and the selector rules that match the client; not a character of a namespace name. */
const VIEW_SEPARATOR = '|';

interface SelectorRule {
  readonly name: string;
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** A view as viewOf writes it: a namespace (or ""), and when the client matches selector rules, their names. */
function parseView(view: string): { readonly namespace: string; readonly selected?: ReadonlySet<string> } {
  const at = view.indexOf(VIEW_SEPARATOR);
  if (at < 0) return { namespace: view };
  return { namespace: view.slice(0, at), selected: new Set(view.slice(at + 1).split(',')) };
}

interface Consolidating {
  rule: DestinationRule;
  from: string[];
  readonly exportTo: ReadonlySet<string>;
  readonly selector: string | undefined;
}

/** Rules of one pool (a namespace's local ones, a namespace's exported ones), by host. */
class RulePool {
  readonly byHost = new HostTable<Consolidating[]>();

  add(rule: DestinationRule, exportTo: ReadonlySet<string>): void {
    const selector = selectorKey(rule);
    const list = this.byHost.get(rule.spec.host);
    if (!list) {
      this.byHost.addIfAbsent(rule.spec.host, [{ rule, from: [nameOf(rule)], exportTo, selector }]);
      return;
    }
    const into = list.find((c) => sameSet(c.exportTo, exportTo) && c.selector === selector);
    if (!into) {
      list.push({ rule, from: [nameOf(rule)], exportTo, selector });
      return;
    }
    into.rule = mergeRules(into.rule, rule);
    into.from.push(nameOf(rule));
  }
}

export class DestinationRuleIndex {
  private readonly namespaceLocal = new Map<string, RulePool>();
  private readonly exportedByNamespace = new Map<string, RulePool>();
  private readonly rootNamespaceLocal = new RulePool();
  private readonly consolidated = new Map<Consolidating, ConsolidatedDestinationRule>();
  /**
   * Namespaces whose view may differ from the public one: some rule's
   * exportTo names them, or they hold a rule a client elsewhere would not
   * reach the same way (private, with a selector, a wildcard host, or a host
   * whose service lives in another namespace). A public rule for one of the
   * namespace's own services is found the same way from anywhere.
   */
  private readonly namespacesWithOwnView = new Set<string>();
  /** Per namespace, its rules with a workload selector. */
  private readonly selectorRules = new Map<string, SelectorRule[]>();

  /** `rules` in snapshot order (oldest first), hosts resolved to FQDNs. */
  constructor(
    rules: readonly DestinationRule[],
    private readonly rootNamespace: string,
    serviceNamespaceOf: (hostname: string) => string | undefined,
  ) {
    // Rules with a selector sort first, as Istio's sortConfigBySelectorAndCreationTime does.
    const ordered = [...rules.filter((r) => r.spec.workloadSelector), ...rules.filter((r) => !r.spec.workloadSelector)];
    for (const rule of ordered) {
      const namespace = rule.meta.namespace;
      if (rule.spec.workloadSelector) {
        const list = this.selectorRules.get(namespace) ?? [];
        list.push({ name: nameOf(rule), matchLabels: rule.spec.workloadSelector.matchLabels ?? {} });
        this.selectorRules.set(namespace, list);
      }
      // A rule with a workload selector is never exported.
      const exportTo: ReadonlySet<string> = new Set(rule.spec.workloadSelector ? ['.'] : (rule.spec.exportTo ?? []));
      const plain = !rule.spec.workloadSelector && (exportTo.size === 0 || exportTo.has('*')) && serviceNamespaceOf(rule.spec.host) === namespace;
      if (!plain) this.namespacesWithOwnView.add(namespace);
      for (const target of exportTo) if (target !== '*' && target !== '.' && target !== '~') this.namespacesWithOwnView.add(target);
      if (exportTo.size === 0 || exportTo.has('*') || exportTo.has('.') || exportTo.has(namespace)) {
        pool(this.namespaceLocal, namespace).add(rule, exportTo);
      }
      const privateOnly = exportTo.size === 1 && (exportTo.has('.') || exportTo.has(namespace));
      if (!privateOnly) pool(this.exportedByNamespace, namespace).add(rule, exportTo);
      else if (namespace === rootNamespace) this.rootNamespaceLocal.add(rule, exportTo);
    }
  }

  /**
   * Which rules a client in `namespace` with `labels` sees, as a label
   * forService takes in place of a namespace: "" for the public rules only,
   * the namespace when it has rules of its own, and after VIEW_SEPARATOR
   * the namespace's selector rules that select the client.
   */
  viewOf(namespace: string, labels: Readonly<Record<string, string>> = {}): string {
    const base = namespace === this.rootNamespace || this.namespacesWithOwnView.has(namespace) ? namespace : '';
    const selected = (this.selectorRules.get(namespace) ?? []).filter((r) => labelsMatch(r.matchLabels, labels)).map((r) => r.name);
    return selected.length === 0 ? base : `${namespace}${VIEW_SEPARATOR}${[...new Set(selected)].sort().join(',')}`;
  }

  /** `proxyNamespaceOrView`: a namespace, or a view from viewOf; `proxyLabels` select rules too. */
  forService(
    proxyNamespaceOrView: string,
    hostname: string,
    serviceNamespace: string | undefined,
    proxyLabels: Readonly<Record<string, string>> = {},
  ): ConsolidatedDestinationRule | undefined {
    const { namespace: proxyNamespace, selected } = parseView(proxyNamespaceOrView);
    const local = proxyNamespace === this.rootNamespace ? this.rootNamespaceLocal : this.namespaceLocal.get(proxyNamespace);
    const candidates =
      local?.byHost.mostSpecific(hostname) ??
      (serviceNamespace !== undefined ? this.exported(serviceNamespace, hostname, proxyNamespace) : undefined) ??
      this.exported(this.rootNamespace, hostname, proxyNamespace);
    if (!candidates) return undefined;
    // Istio's SidecarScope.DestinationRule: a rule selecting this workload beats one without a selector;
    // among those without, the last (Istio keeps overwriting its catch-all as it walks the list).
    const selects = (c: Consolidating): boolean =>
      c.rule.meta.namespace === proxyNamespace &&
      ((selected !== undefined && c.from.some((name) => selected.has(name))) || labelsMatch(c.rule.spec.workloadSelector?.matchLabels ?? {}, proxyLabels));
    const chosen = candidates.find((c) => c.rule.spec.workloadSelector && selects(c)) ?? candidates.findLast((c) => !c.rule.spec.workloadSelector);
    return chosen ? this.freeze(chosen) : undefined;
  }

  private exported(owner: string, hostname: string, clientNamespace: string): Consolidating[] | undefined {
    const found = this.exportedByNamespace.get(owner)?.byHost.mostSpecific(hostname);
    if (!found) return undefined;
    const visible = found.filter((c) => c.exportTo.size === 0 || c.exportTo.has('*') || c.exportTo.has(clientNamespace));
    return visible.length > 0 ? visible : undefined;
  }

  private freeze(c: Consolidating): ConsolidatedDestinationRule {
    let out = this.consolidated.get(c);
    if (!out) {
      out = Object.freeze({ rule: c.rule, from: Object.freeze([...c.from]) });
      this.consolidated.set(c, out);
    }
    return out;
  }
}

function mergeRules(first: DestinationRule, later: DestinationRule): DestinationRule {
  const names = new Set((first.spec.subsets ?? []).map((s) => s.name));
  const added: Subset[] = (later.spec.subsets ?? []).filter((s) => !names.has(s.name));
  const trafficPolicy = first.spec.trafficPolicy ?? later.spec.trafficPolicy;
  return Object.freeze({
    meta: first.meta,
    spec: Object.freeze({
      ...first.spec,
      ...(trafficPolicy !== undefined ? { trafficPolicy } : {}),
      ...(first.spec.subsets || added.length > 0 ? { subsets: Object.freeze([...(first.spec.subsets ?? []), ...added]) } : {}),
    }),
  });
}

function pool(map: Map<string, RulePool>, namespace: string): RulePool {
  let found = map.get(namespace);
  if (!found) map.set(namespace, (found = new RulePool()));
  return found;
}

function nameOf(rule: DestinationRule): string {
  return `${rule.meta.namespace}/${rule.meta.name}`;
}

function selectorKey(rule: DestinationRule): string | undefined {
  const labels = rule.spec.workloadSelector?.matchLabels;
  return labels ? JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))) : undefined;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((v) => b.has(v));
}
