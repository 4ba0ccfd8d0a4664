/**
 * Analysis in `tsiod serve`: after config changes, runs the analyzers
 * (src/config/analysis) over everything the source holds and logs each
 * message when it first appears: Error and Warning at warn, Info at info. A
 * message that goes away and comes back is logged again. Runs are at most one
 * per interval (default 1 s) and off the push path, on a timer: a burst of
 * changes costs one analysis. Invalid objects are not analyzed here; serve
 * already logs each when it is read.
 */
import type { Logger } from 'pino';
import { analyze } from '../config/analysis/analyze.js';
import type { AnalysisMesh } from '../config/analysis/context.js';
import { messageLine } from '../config/analysis/format.js';
import { friendlyName, type AnalysisMessage } from '../config/analysis/message.js';
import type { ConfigObject } from '../config/config-object.js';

export interface AnalysisReporterOptions {
  readonly logger: Logger;
  /** The mesh config in force when the analysis runs (it follows the ConfigMap `istio`). */
  readonly mesh: () => AnalysisMesh;
  /** The current objects, read when the analysis runs. */
  readonly objects: () => Iterable<ConfigObject>;
  readonly intervalMs?: number;
}

export class AnalysisReporter {
  private reported = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lastRun = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly options: AnalysisReporterOptions) {}

  /** Config changed: analyze soon (at once if the last run is an interval old). */
  schedule(): void {
    if (this.closed || this.timer) return;
    const wait = Math.max(0, this.lastRun + (this.options.intervalMs ?? 1_000) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
    this.timer.unref();
  }

  /** Analyzes now; logs and returns the messages not current before. */
  run(): AnalysisMessage[] {
    this.lastRun = Date.now();
    const { logger } = this.options;
    let messages: AnalysisMessage[];
    try {
      messages = analyze({ objects: this.options.objects(), mesh: this.options.mesh() });
    } catch (err) {
      logger.error({ err }, 'analysis failed');
      return [];
    }
    const current = new Set<string>();
    const fresh: AnalysisMessage[] = [];
    for (const message of messages) {
      // Keyed without the file#document, so a document moving within its file is not news.
      const line = messageLine(message);
      current.add(line);
      if (this.reported.has(line)) continue;
      fresh.push(message);
      const fields = { code: message.code, severity: message.level, origin: message.resource ? friendlyName(message.resource) : undefined, source: message.resource?.source };
      if (message.level === 'Info') logger.info(fields, `analysis: ${line}`);
      else logger.warn(fields, `analysis: ${line}`);
    }
    this.reported = current;
    return fresh;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
