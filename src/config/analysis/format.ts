/**
 * Printing messages as istioctl analyze prints them (istioctl/pkg/util/formatting):
 * - "log": one line each, `Error [IST0101] (VirtualService default/reviews reviews.yaml#2) Referenced ...`;
 * - "json": a tab-indented array of {code, documentationUrl, level, message, origin, reference};
 * - "yaml": the same list as YAML.
 * The reference is where the resource was read from; istioctl gives
 * "file:line", tsiod its "file#document" source. Documentation links point at
 * istio.io's latest docs (istioctl links its own release's).
 */
import { stringify } from 'yaml';
import { friendlyName, type AnalysisMessage, type Level } from './message.js';

export const OUTPUT_FORMATS = ['log', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const ANALYSIS_DOCS_URL = 'https://istio.io/latest/docs/reference/config/analysis';

export interface FormatOptions {
  /** Show where each resource was read from (a config directory's "file#document"). */
  readonly references?: boolean;
  /** ANSI colours for the level ("log" only), as on a terminal. */
  readonly color?: boolean;
}

const COLORS: Readonly<Record<Level, string>> = { Error: '\u001b[1;31m', Warning: '\u001b[33m', Info: '' };
const RESET = '\u001b[0m';

export function documentationUrl(code: string): string {
  return `${ANALYSIS_DOCS_URL}/${code.toLowerCase()}/`;
}

/** One message as a log line. */
export function messageLine(message: AnalysisMessage, options: FormatOptions = {}): string {
  const level = options.color ? `${COLORS[message.level]}${message.level}${RESET}` : message.level;
  return `${level} [${message.code}]${origin(message, options)} ${message.message}`;
}

/** The messages in the format, without a trailing newline (the caller prints one, as istioctl does). */
export function formatMessages(messages: readonly AnalysisMessage[], format: OutputFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'log':
      return messages.map((message) => messageLine(message, options)).join('\n');
    case 'json':
      return goJson(messages.map((message) => unstructured(message, options)));
    case 'yaml':
      return stringify(messages.map((message) => unstructured(message, options)));
  }
}

/** The map istioctl marshals for one message, keys in Go's (sorted) order. */
function unstructured(message: AnalysisMessage, options: FormatOptions): Record<string, string> {
  const out: Record<string, string> = { code: message.code, documentationUrl: documentationUrl(message.code), level: message.level, message: message.message };
  if (message.resource) {
    out['origin'] = friendlyName(message.resource);
    const reference = options.references ? message.resource.source : undefined;
    if (reference) out['reference'] = reference;
  }
  return out;
}

function origin(message: AnalysisMessage, options: FormatOptions): string {
  const resource = message.resource;
  if (!resource) return '';
  const reference = options.references && resource.source ? ` ${resource.source}` : '';
  return ` (${friendlyName(resource)}${reference})`;
}

/** Go's json.MarshalIndent(v, "", "\t"): tab indents, and <, > and & escaped as Go escapes them. */
function goJson(value: unknown): string {
  return JSON.stringify(value, null, '\t').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
