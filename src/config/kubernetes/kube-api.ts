/**
 * The two apiserver calls the informers make, list and watch, on raw JSON.
 *
 * client-node supplies the connection: kubeconfig, TLS agent, tokens, exec
 * and in-cluster auth (applySecurityAuthentication). The calls themselves
 * are made here with node:https because client-node's typed lists turn
 * timestamps into Dates (list items would then differ from watch objects),
 * and its Watch drops the body of a failed watch (no "forbidden: ... cannot
 * watch" to log), skips undecodable lines silently, and cannot tell a 410
 * from a clean end (its ListWatch stops for good on any other error).
 */
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { isJsonObject } from '../config-object.js';

/** A failed call as the apiserver described it (a metav1.Status), or an HTTP status without one. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    /** The Status reason ("NotFound", "Expired", "Forbidden"), or "" when the body had none. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function statusCodeOf(error: unknown): number | undefined {
  return error instanceof KubeApiError ? error.statusCode : undefined;
}

export interface ListResult {
  readonly items: readonly unknown[];
  /** The collection's resourceVersion: where a watch picks up after this list. */
  readonly resourceVersion: string;
}

export interface WatchEvent {
  /** ADDED, MODIFIED, DELETED or BOOKMARK (an ERROR ends the watch instead). */
  readonly type: string;
  readonly object: unknown;
}

export type WatchEnd =
  /** The stream ended without an error: the server's timeout, or no bytes for the inactivity window. */
  | { readonly reason: 'closed'; readonly detail: string }
  /** The request failed, the server sent an ERROR event (410 Gone among them), or a line did not decode. */
  | { readonly reason: 'error'; readonly error: Error }
  | { readonly reason: 'aborted' };

export interface WatchStream {
  readonly ended: Promise<WatchEnd>;
  abort(): void;
}

/**
 * `redact`: the collection holds secrets. A body that fails to decode is
 * then described by its length only, never quoted (JSON.parse's own
 * message quotes the input too), so no error or log line carries its data.
 */
export interface ReadOptions {
  readonly redact?: boolean;
  /** list: a continue token expired (410) mid-list, which starts over from the first page; told the error first. */
  readonly onListRestart?: (error: KubeApiError) => void;
}

export interface KubeApi {
  /** Every item of a collection, page by page. */
  list(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal, options?: ReadOptions): Promise<ListResult>;
  /** Streams events to `onEvent` until the watch ends; `ended` says how. */
  watch(path: string, query: Readonly<Record<string, string>>, onEvent: (event: WatchEvent) => void, inactivityMs: number, options?: ReadOptions): WatchStream;
  close(): Promise<void>;
}

const DEFAULT_PAGE_SIZE = 500;
/**
 * A continue token outlives etcd's compaction only so long (410 Expired); a list that loses one starts over from
 * the first page, at most this many times in all. (client-go's pager falls back to one unpaged list instead.)
 */
const LIST_RESTARTS = 3;

export class ClientNodeKubeApi implements KubeApi {
  private readonly server: string;
  /**
   * client-node makes a new agent on every authentication; the first is
   * kept, so requests share its TLS session cache and close() can end them all.
   */
  private agent: http.Agent | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly pageSize: number = DEFAULT_PAGE_SIZE,
  ) {
    const server = kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster with a server');
    this.server = server.replace(/\/+$/, '');
  }

  async list(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal, options: ReadOptions = {}): Promise<ListResult> {
    for (let restart = 0; ; restart++) {
      const items: unknown[] = [];
      let continueToken = '';
      try {
        for (;;) {
          // A continue token carries the list's resourceVersion; the apiserver refuses resourceVersion(Match) beside it (422).
          const { resourceVersion: _rv, resourceVersionMatch: _rvm, ...rest } = query;
          const pageQuery = continueToken ? { ...rest, continue: continueToken } : query;
          const page = await this.getJson(path, { ...pageQuery, limit: String(this.pageSize) }, signal, options.redact === true);
          const metadata = isJsonObject(page['metadata']) ? page['metadata'] : {};
          const pageItems = page['items'];
          if (pageItems !== null && pageItems !== undefined && !Array.isArray(pageItems)) throw new Error(`list ${path}: items is not an array`);
          items.push(...(pageItems ?? []));
          continueToken = typeof metadata['continue'] === 'string' ? metadata['continue'] : '';
          if (continueToken === '') {
            const resourceVersion = typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '';
            return { items, resourceVersion };
          }
        }
      } catch (error) {
        const tokenExpired = continueToken !== '' && error instanceof KubeApiError && error.statusCode === 410;
        if (!tokenExpired || restart + 1 >= LIST_RESTARTS) throw error;
        options.onListRestart?.(error);
      }
    }
  }

  watch(path: string, query: Readonly<Record<string, string>>, onEvent: (event: WatchEvent) => void, inactivityMs: number, options: ReadOptions = {}): WatchStream {
    const redact = options.redact === true;
    const controller = new AbortController();
    let finished = false;
    let settle: (end: WatchEnd) => void = () => undefined;
    const ended = new Promise<WatchEnd>((resolve) => (settle = resolve));
    let timer: NodeJS.Timeout | undefined;
    const finish = (end: WatchEnd): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      controller.abort();
      settle(end);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ reason: 'closed', detail: `no data for ${inactivityMs / 1000} s` }), inactivityMs);
      timer.unref();
    };

    const run = async (): Promise<void> => {
      arm();
      const response = await this.send(path, { ...query, watch: '1' }, controller.signal);
      if (response.statusCode !== 200) throw await apiError(response, `watch ${path}`);
      response.setEncoding('utf8');
      let partial = '';
      arm();
      for await (const chunk of response as AsyncIterable<string>) {
        arm();
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (finished) return;
          if (line.trim() !== '') onEvent(parseEvent(path, line, redact));
        }
      }
      // A response cut short (the connection reset mid-body) ends the iteration too, but is not clean.
      if (!response.complete) throw new Error(`watch ${path}: the connection closed mid-stream`);
      finish({ reason: 'closed', detail: 'the apiserver ended the watch' });
    };
    run().catch((error: unknown) => finish({ reason: 'error', error: error instanceof Error ? error : new Error(String(error)) }));
    return { ended, abort: () => finish({ reason: 'aborted' }) };
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async getJson(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal, redact: boolean): Promise<Record<string, unknown>> {
    const response = await this.send(path, query, signal);
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw await apiError(response, `list ${path}`);
    const body = await readBody(response);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      // JSON.parse quotes the input around the fault: of a Secret list, that is key material.
      if (redact) throw new Error(`list ${path}: the response is not valid JSON (${body.length} characters, not shown: the collection holds secrets)`);
      throw error;
    }
    if (!isJsonObject(parsed)) throw new Error(`list ${path}: the response is not a JSON object`);
    return parsed;
  }

  private async send(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    context.setHeaderParam('Accept', 'application/json');
    // Headers (a token re-read from its file, an exec plugin's) and the TLS agent, per request; client-node caches the agent.
    await this.kubeConfig.applySecurityAuthentication(context);
    this.agent ??= context.getAgent();
    const agent = this.agent;
    signal.throwIfAborted();
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(url, { method: 'GET', headers: context.getHeaders(), ...(agent ? { agent } : {}), signal }, resolve);
      // A watch can be quiet for minutes; keepalive probes find a peer that vanished without closing (as client-go's 30 s).
      request.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
      request.on('error', reject);
      request.end();
    });
  }
}

function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('the connection closed mid-response')));
  });
}

/** One line of a watch stream; an ERROR event becomes the error that ends the watch. */
export function parseEvent(path: string, line: string, redact = false): WatchEvent {
  const shown = redact ? `(${line.length} characters, not shown: the collection holds secrets)` : line.slice(0, 200);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`watch ${path}: undecodable event: ${shown}`);
  }
  if (!isJsonObject(parsed) || typeof parsed['type'] !== 'string') throw new Error(`watch ${path}: event without a type: ${shown}`);
  if (parsed['type'] === 'ERROR') throw statusError(parsed['object'], `watch ${path}`);
  return { type: parsed['type'], object: parsed['object'] };
}

function statusError(status: unknown, what: string, httpStatus?: number): KubeApiError {
  const fields = isJsonObject(status) ? status : {};
  const code = typeof fields['code'] === 'number' ? fields['code'] : (httpStatus ?? 0);
  const reason = typeof fields['reason'] === 'string' ? fields['reason'] : '';
  const message = typeof fields['message'] === 'string' ? fields['message'] : `HTTP ${code}`;
  return new KubeApiError(code, reason, `${what}: ${code}${reason ? ` ${reason}` : ''}: ${message}`);
}

async function apiError(response: http.IncomingMessage, what: string): Promise<KubeApiError> {
  const httpStatus = response.statusCode ?? 0;
  const text = await readBody(response).catch(() => '');
  let status: unknown;
  try {
    status = JSON.parse(text);
  } catch {
    status = { message: text.slice(0, 200) || `HTTP ${httpStatus}` };
  }
  const error = statusError(status, what, httpStatus);
  // Trust the HTTP status over a body that claims another code.
  return error.statusCode === httpStatus ? error : new KubeApiError(httpStatus, error.reason, error.message);
}
