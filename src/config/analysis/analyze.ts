/**
 * istioctl analyze's job, on tsiod's config objects: runs every analyzer over
 * one consistent set of objects and returns the messages sorted as istioctl
 * sorts them (level, code, resource, text) with duplicates removed. Pure: the
 * same objects give the same messages.
 *
 * As in Istio, objects in Kubernetes' own namespaces (kube-system,
 * kube-public, kube-node-lease, local-path-storage) are not analyzed, and a
 * resource annotated galley.istio.io/analyze-suppress: "IST0102,IST0103"
 * (or "*") gets no messages with those codes.
 */
import type { ConfigObject } from '../config-object.js';
import { AnalysisContext, type AnalysisInput, type Analyzer } from './context.js';
import { compare } from './hosts.js';
import { LEVELS, friendlyName, type AnalysisMessage } from './message.js';
import { ANALYZERS } from './registry.js';

export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);
const SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

export function analyze(input: AnalysisInput, analyzers: readonly Analyzer[] = ANALYZERS): AnalysisMessage[] {
  const objects = [...input.objects].filter((object) => !IGNORED_NAMESPACES.has(namespaceOf(object)));
  const errors = (input.errors ?? []).filter((error) => !IGNORED_NAMESPACES.has(error.kind === 'Namespace' ? (error.name ?? '') : (error.namespace ?? '')));
  const context = new AnalysisContext({ ...input, errors }, objects);
  const messages: AnalysisMessage[] = [];
  for (const analyzer of analyzers) analyzer.analyze(context, (message) => messages.push(message));
  return sortMessages(messages.filter((message) => !suppressed(message)));
}

/** istioctl's order (Error first, then by code, resource kind/name/namespace, text), without duplicates. */
export function sortMessages(messages: readonly AnalysisMessage[]): AnalysisMessage[] {
  const keyed = messages.map((message) => ({ message, text: identity(message) }));
  keyed.sort((a, b) => {
    const x = a.message;
    const y = b.message;
    return (
      LEVELS.indexOf(x.level) - LEVELS.indexOf(y.level) ||
      compare(x.code, y.code) ||
      (x.resource ? 1 : 0) - (y.resource ? 1 : 0) ||
      compare(comparator(x), comparator(y)) ||
      compare(a.text, b.text)
    );
  });
  return keyed.filter((entry, i) => i === 0 || entry.text !== keyed[i - 1]?.text).map((entry) => entry.message);
}

/** A Namespace belongs to itself; every other object to its namespace. */
function namespaceOf(object: ConfigObject): string {
  return object.kind === 'Namespace' ? object.metadata.name : object.metadata.namespace;
}

function comparator(message: AnalysisMessage): string {
  const r = message.resource;
  return r ? `${r.kind}/${r.name}/${r.namespace}` : '';
}

/** What makes two messages the same message. */
function identity(message: AnalysisMessage): string {
  const r = message.resource;
  return `${message.level} [${message.code}]${r ? ` (${friendlyName(r)} ${r.source ?? ''})` : ''} ${message.message}`;
}

function suppressed(message: AnalysisMessage): boolean {
  const codes = message.resource?.annotations?.[SUPPRESS_ANNOTATION];
  if (!codes) return false;
  return codes.split(',').some((code) => code.trim() === '*' || code.trim() === message.code);
}
