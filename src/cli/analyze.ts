/**
 * `tsiod analyze`: istioctl analyze's job. Reads a config directory once, or
 * lists a cluster once, runs every analyzer (src/config/analysis) and prints
 * the messages as istioctl prints them. Exit codes are istioctl's:
 *   0   nothing at or above --failure-threshold (default Error)
 *   79  the analyzers found issues (ExitAnalyzerFoundIssues)
 *   65  no issues, but some documents could not be read (ExitDataError)
 *   64  bad usage (ExitIncorrectUsage)
 *   1   anything else (unreadable directory, cluster unreachable)
 * As in istioctl, only the log format sets 79 or 65: json and yaml output
 * exits 0, so it can be piped to another tool.
 */
import { formatConfigError, type ConfigError } from '../config/config-error.js';
import type { ConfigObject } from '../config/config-object.js';
import { analyze } from '../config/analysis/analyze.js';
import { isSchemaError } from '../config/analysis/analyzers/schema-validation.js';
import { ANALYSIS_DOCS_URL, formatMessages, OUTPUT_FORMATS, type OutputFormat } from '../config/analysis/format.js';
import { isAtLeast, messageNamespace, parseLevel, type AnalysisMessage, type Level } from '../config/analysis/message.js';
import { ANALYZERS, selectAnalyzers } from '../config/analysis/registry.js';
import { ANALYZE_KUBE_KINDS, SECRET_KUBE_KIND } from '../config/kubernetes/kind-table.js';
import { KubernetesSource } from '../config/kubernetes/kubernetes-source.js';
import { loadKubeConfig, type KubeConnection } from '../config/kubernetes/load-kube-config.js';
import { loadDirectory } from '../config/load-directory.js';
import { chooseConfigSource } from './config-source-choice.js';

export const EXIT_OK = 0;
export const EXIT_UNKNOWN_ERROR = 1;
export const EXIT_INCORRECT_USAGE = 64;
export const EXIT_DATA_ERROR = 65;
export const EXIT_ANALYZER_FOUND_ISSUES = 79;

export interface AnalyzeOptions {
  readonly configDir?: string;
  readonly kubeconfig?: string;
  readonly inCluster?: boolean;
  /** "log" (alias "text"), "json" or "yaml"; default log. */
  readonly output?: string;
  /** Only messages at least this bad are printed; default Info. */
  readonly outputThreshold?: string;
  /** Messages at least this bad make the exit code 79; default Error. */
  readonly failureThreshold?: string;
  /** Only report resources in this namespace (default: every namespace). */
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  /** Run only these analyzers (by name, see --list-analyzers). */
  readonly analyzer?: readonly string[];
  readonly listAnalyzers?: boolean;
  /** ANSI colours; default when stdout is a terminal and TERM is not "dumb". */
  readonly color?: boolean;
  /** Cluster only: how long to wait for the initial lists; default 30 s. */
  readonly timeoutMs?: number;
}

export interface AnalyzeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdoutIsTty?: boolean;
}

class UsageError extends Error {}

/** Runs the command; resolves with the exit code. */
export async function runAnalyze(options: AnalyzeOptions, io: AnalyzeIo): Promise<number> {
  try {
    return await run(options, io);
  } catch (error) {
    io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? EXIT_INCORRECT_USAGE : EXIT_UNKNOWN_ERROR;
  }
}

async function run(options: AnalyzeOptions, io: AnalyzeIo): Promise<number> {
  const format = outputFormat(options.output ?? 'log');
  const outputThreshold = level(options.outputThreshold ?? 'Info', '--output-threshold');
  const failureThreshold = level(options.failureThreshold ?? 'Error', '--failure-threshold');
  if (options.listAnalyzers) {
    io.stdout(listAnalyzers());
    return EXIT_OK;
  }
  const selected = selectAnalyzers(options.analyzer ?? []);
  if (selected.unknown.length > 0) throw new UsageError(`unknown analyzer ${selected.unknown.join(', ')}; see tsiod analyze --list-analyzers`);
  const analyzers = selected.analyzers.length > 0 ? selected.analyzers : ANALYZERS;
  let choice;
  try {
    choice = chooseConfigSource({ configDir: options.configDir, kubeconfig: options.kubeconfig, inCluster: options.inCluster }, io.env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }

  const input = choice.configDir !== undefined ? await readDirectory(choice.configDir, io) : await readCluster(choice.kubernetes, options.timeoutMs ?? 30_000, io);
  const namespace = options.allNamespaces ? undefined : options.namespace;
  const target = choice.configDir !== undefined ? choice.configDir : namespace !== undefined ? `namespace: ${namespace}` : 'all namespaces';

  const all = analyze({ objects: input.objects, errors: input.errors, unreadableKinds: input.unreadableKinds }, analyzers).filter((message) => inNamespace(message, namespace));
  const shown = all.filter((message) => isAtLeast(message.level, outputThreshold));
  const color = options.color ?? (io.stdoutIsTty === true && (io.env['TERM'] ?? '').toLowerCase() !== 'dumb');
  io.stdout(`${formatMessages(shown, format, { references: choice.configDir !== undefined, color: color && format === 'log' })}\n`);

  const unread = input.fileErrors.length;
  if (shown.length === 0) {
    if (unread === 0) io.stderr(`\u2714 No validation issues found when analyzing ${target}.\n`);
    else io.stderr(`No validation issues found when analyzing ${target} (but ${unread} ${unread === 1 ? 'document' : 'documents'} could not be read).\n`);
  }
  if (format !== 'log') return EXIT_OK;
  if (all.some((message) => isAtLeast(message.level, failureThreshold))) {
    io.stderr(`Error: Analyzers found issues when analyzing ${target}.\nSee ${ANALYSIS_DOCS_URL} for more information about causes and resolutions.\n`);
    return EXIT_ANALYZER_FOUND_ISSUES;
  }
  if (unread > 0) {
    io.stderr('Error: Some files couldn\'t be parsed.\n');
    return EXIT_DATA_ERROR;
  }
  return EXIT_OK;
}

interface AnalysisSourceInput {
  readonly objects: readonly ConfigObject[];
  /** Objects left out as invalid: SchemaValidationError messages. */
  readonly errors: readonly ConfigError[];
  /** Documents that are not config objects at all, and duplicate definitions: reported apart, before analysis. */
  readonly fileErrors: readonly ConfigError[];
  readonly unreadableKinds?: ReadonlySet<string>;
}

async function readDirectory(directory: string, io: AnalyzeIo): Promise<AnalysisSourceInput> {
  const loaded = await loadDirectory(directory);
  // Documents of kinds tsiod does not read (Deployments, ServiceAccounts, ...) are beside the point, not errors.
  const skipped = loaded.errors.filter(isUnknownKind);
  const errors = loaded.errors.filter((error) => !isUnknownKind(error));
  const fileErrors = [...errors.filter((error) => !isSchemaError(error)), ...loaded.conflicts];
  if (skipped.length > 0) {
    const kinds = [...new Set(skipped.map((error) => error.kind ?? ''))].sort().join(', ');
    io.stderr(`Skipping ${skipped.length} ${skipped.length === 1 ? 'document' : 'documents'} of kinds tsiod does not read: ${kinds}\n`);
  }
  if (fileErrors.length > 0) io.stderr(`Error(s) adding files:\n${fileErrors.map((error) => `  ${formatConfigError(error)}\n`).join('')}`);
  return { objects: [...loaded.store.objects().values()], errors: errors.filter(isSchemaError), fileErrors };
}

function isUnknownKind(error: ConfigError): boolean {
  return error.path === 'kind' && error.message.startsWith('unknown kind');
}

/**
 * Lists every kind tsiod reads, plus Secrets, once. A cluster that forbids
 * listing Secrets is analyzed without them (Gateway credentials are then not
 * checked) instead of waiting out the timeout.
 */
async function readCluster(connection: KubeConnection, timeoutMs: number, io: AnalyzeIo): Promise<AnalysisSourceInput> {
  const source = new KubernetesSource({ kubeConfig: loadKubeConfig(connection, io.env), kinds: [...ANALYZE_KUBE_KINDS, SECRET_KUBE_KIND], syncTimeoutMs: timeoutMs, resyncMs: 0 });
  let started = false;
  const start = source.start().finally(() => {
    started = true;
  });
  while (!started) {
    const pending = source.status().filter((status) => status.phase === 'pending');
    if (pending.length === 1 && pending[0]?.kind === SECRET_KUBE_KIND.kind && pending[0].lastError !== undefined) break;
    await Promise.race([start, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  const statuses = source.status();
  const objects = [...source.store.objects().values()];
  const errors = source.errors();
  await source.close();
  await start;
  const pending = statuses.filter((status) => status.phase === 'pending');
  const stuck = pending.filter((status) => status.kind !== SECRET_KUBE_KIND.kind);
  if (stuck.length > 0) {
    const detail = stuck.map((status) => `${status.kind}${status.lastError ? ` (${status.lastError})` : ''}`).join(', ');
    throw new Error(`could not list ${detail} within ${timeoutMs / 1000} s`);
  }
  const unreadableKinds = new Set(pending.map((status) => status.kind));
  if (unreadableKinds.has(SECRET_KUBE_KIND.kind)) {
    const reason = pending.find((status) => status.kind === SECRET_KUBE_KIND.kind)?.lastError ?? 'not listed in time';
    io.stderr(`Warning: cannot list Secrets (${reason}); Gateway credentials are not checked.\n`);
  }
  return { objects, errors: errors.filter(isSchemaError), fileErrors: errors.filter((error) => !isSchemaError(error)), unreadableKinds };
}

function inNamespace(message: AnalysisMessage, namespace: string | undefined): boolean {
  if (namespace === undefined) return true;
  const own = messageNamespace(message);
  return own === undefined || own === '' || own === namespace;
}

function outputFormat(value: string): OutputFormat {
  const lower = value.toLowerCase();
  if (lower === 'text') return 'log';
  const found = OUTPUT_FORMATS.find((format) => format === lower);
  if (!found) throw new UsageError(`${value} not a valid option for format; use one of ${OUTPUT_FORMATS.join(', ')} (text is log)`);
  return found;
}

function level(value: string, flag: string): Level {
  const found = parseLevel(value);
  if (!found) throw new UsageError(`${flag}: invalid level ${value}; use Info, Warning or Error`);
  return found;
}

/** As istioctl analyze -L prints them: sorted by name, each with its description. */
export function listAnalyzers(): string {
  return [...ANALYZERS]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((analyzer) => `* ${analyzer.name}:\n    ${analyzer.description}\n`)
    .join('');
}
