/**
 * Analysis messages, shaped like istioctl analyze's (Istio's
 * pkg/config/analysis/diag): a message type (code, level, text template)
 * applied to one resource. The resource is named the way istioctl names it,
 * "Kind namespace/name" ("Namespace name" for cluster-scoped kinds).
 */

/** Worst first: sorting and thresholds follow this order. */
export const LEVELS = ['Error', 'Warning', 'Info'] as const;
export type Level = (typeof LEVELS)[number];

/** True when `level` is as bad as `threshold` or worse (Error is worse than Warning, Warning than Info). */
export function isAtLeast(level: Level, threshold: Level): boolean {
  return LEVELS.indexOf(level) <= LEVELS.indexOf(threshold);
}

/** Case-insensitive "error" / "warning" / "info", as istioctl's --failure-threshold accepts them. */
export function parseLevel(value: string): Level | undefined {
  return LEVELS.find((level) => level.toLowerCase() === value.toLowerCase());
}

export interface MessageType<Args extends readonly unknown[]> {
  /** "IST0101" */
  readonly code: string;
  /** "ReferencedResourceNotFound" */
  readonly name: string;
  readonly level: Level;
  readonly render: (...args: Args) => string;
}

export function messageType<Args extends readonly unknown[]>(code: string, name: string, level: Level, render: (...args: Args) => string): MessageType<Args> {
  return Object.freeze({ code, name, level, render });
}

/** The resource a message is about. */
export interface MessageResource {
  readonly kind: string;
  /** "" for cluster-scoped kinds. */
  readonly namespace: string;
  readonly name: string;
  /** Where it was read from ("file.yaml#2", or the cluster source's tag). */
  readonly source?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface AnalysisMessage {
  readonly code: string;
  readonly level: Level;
  /** The message type's name, e.g. "ReferencedResourceNotFound". */
  readonly type: string;
  /** The rendered text, e.g. `Referenced gateway not found: "bookinfo-gateway"`. */
  readonly message: string;
  readonly resource?: MessageResource;
}

export function newMessage<Args extends readonly unknown[]>(type: MessageType<Args>, resource: MessageResource | undefined, ...args: Args): AnalysisMessage {
  return {
    code: type.code,
    level: type.level,
    type: type.name,
    message: type.render(...args),
    ...(resource ? { resource } : {}),
  };
}

/** istioctl's name for a resource: "VirtualService default/reviews", "Namespace istio-system". */
export function friendlyName(resource: MessageResource): string {
  return resource.namespace === '' ? `${resource.kind} ${resource.name}` : `${resource.kind} ${resource.namespace}/${resource.name}`;
}

/** The namespace a message belongs to for --namespace filtering: a Namespace's own name, else the resource's namespace. */
export function messageNamespace(message: AnalysisMessage): string | undefined {
  const resource = message.resource;
  if (!resource) return undefined;
  return resource.kind === 'Namespace' ? resource.name : resource.namespace;
}

// --- Go formatting, for templates written with %q and %v as Istio's are. ---

/** Go's %q of a string: double-quoted, with quotes, backslashes and control characters escaped. */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Go's %v of a slice: "[a b c]". */
export function goList(values: readonly (string | number)[]): string {
  return `[${values.join(' ')}]`;
}
