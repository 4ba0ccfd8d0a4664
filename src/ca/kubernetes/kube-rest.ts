/**
 * Single-object calls (get, create, replace, merge-patch, delete) on raw
 * JSON, for the CA's Secrets, Leases and ConfigMaps.
 *
 * client-node supplies the connection (kubeconfig, TLS agent, tokens, exec
 * and in-cluster auth); the calls are made here because client-node's
 * typed models write a Lease's MicroTime fields as millisecond ISO strings,
 * which the apiserver refuses, and because a failure must come back as the
 * apiserver's Status (code and reason: AlreadyExists, Conflict) with its
 * text under our control: a Secret's key material never reaches an error.
 */
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { KubeApiError } from '../../config/kubernetes/kube-api.js';

/** A failed call as the apiserver described it, with its Status causes' reasons ("NamespaceTerminating"). */
export class KubeCallError extends KubeApiError {
  constructor(statusCode: number, reason: string, message: string, readonly causes: readonly string[]) {
    super(statusCode, reason, message);
    this.name = 'KubeCallError';
  }
}

/** The call got no answer: connection refused or reset, or a timeout. */
export class KubeTransportError extends Error {
  override readonly name = 'KubeTransportError';
}

/** No answer, overload or a server fault: worth retrying. A refusal (403, 409, 422) is not. */
export function isTransient(error: unknown): boolean {
  if (error instanceof KubeTransportError) return true;
  const status = statusOf(error);
  return status === 429 || (status !== undefined && status >= 500);
}

export type JsonObject = Record<string, unknown>;

export interface RestCallOptions {
  /** The body or the answer may hold secrets: nothing from them is quoted in an error. */
  readonly sensitive?: boolean;
}

/** How long one call may take before it fails (the apiserver answers single-object calls in milliseconds). */
const CALL_TIMEOUT_MS = 30_000;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The HTTP status of a failed call, or undefined for a failure without one (connection refused). */
export function statusOf(error: unknown): number | undefined {
  return error instanceof KubeApiError ? error.statusCode : undefined;
}

export class KubeRest {
  private readonly server: string;
  /** client-node makes a new agent per authentication; the first is kept so calls share its connections and close() ends them. */
  private agent: http.Agent | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {
    const server = kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster with a server');
    this.server = server.replace(/\/+$/, '');
  }

  /** The object at `path`, or undefined when it does not exist (404). */
  async get(path: string, options: RestCallOptions = {}): Promise<JsonObject | undefined> {
    try {
      return await this.call(HttpMethod.GET, path, undefined, `get ${path}`, options);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  create(collectionPath: string, body: JsonObject, options: RestCallOptions = {}): Promise<JsonObject> {
    return this.call(HttpMethod.POST, collectionPath, body, `create in ${collectionPath}`, options);
  }

  /** PUT: fails with 409 Conflict when body's metadata.resourceVersion is no longer current. */
  replace(path: string, body: JsonObject, options: RestCallOptions = {}): Promise<JsonObject> {
    return this.call(HttpMethod.PUT, path, body, `replace ${path}`, options);
  }

  /** JSON merge patch (RFC 7386). */
  mergePatch(path: string, patch: JsonObject, options: RestCallOptions = {}): Promise<JsonObject> {
    return this.call(HttpMethod.PATCH, path, patch, `patch ${path}`, options);
  }

  async delete(path: string): Promise<void> {
    await this.call(HttpMethod.DELETE, path, undefined, `delete ${path}`, {});
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async call(method: HttpMethod, path: string, body: JsonObject | undefined, what: string, options: RestCallOptions): Promise<JsonObject> {
    const url = new URL(this.server + path);
    const context = new RequestContext(url.toString(), method);
    context.setHeaderParam('Accept', 'application/json');
    await this.kubeConfig.applySecurityAuthentication(context);
    this.agent ??= context.getAgent();
    const headers: Record<string, string> = { ...context.getHeaders() };
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) {
      headers['Content-Type'] = method === HttpMethod.PATCH ? 'application/merge-patch+json' : 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const client = url.protocol === 'https:' ? https : http;
    const agent = this.agent;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = client.request(url, { method, headers, timeout: CALL_TIMEOUT_MS, ...(agent ? { agent } : {}) }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => reject(new KubeTransportError(`${what}: ${error.message}`)));
        response.on('aborted', () => reject(new KubeTransportError(`${what}: the connection closed mid-response`)));
      });
      request.on('timeout', () => request.destroy(new KubeTransportError(`${what}: no answer within ${CALL_TIMEOUT_MS} ms`)));
      request.on('error', (error) => reject(error instanceof KubeTransportError ? error : new KubeTransportError(`${what}: ${error.message}`)));
      request.end(payload);
    });
    const parsed = parseJson(text);
    if (status < 200 || status > 299) throw failure(status, parsed, text, what, options.sensitive === true);
    if (!isJsonObject(parsed)) {
      throw new Error(`${what}: the answer is not a JSON object${options.sensitive ? ` (${text.length} characters, not shown: it may hold secrets)` : `: ${text.slice(0, 200)}`}`);
    }
    return parsed;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** PEM blocks and long base64 runs: what key material looks like inside an apiserver's message. */
const SECRET_LOOKING = /-----BEGIN[\s\S]*?(?:-----END[^-]*-----|$)|[A-Za-z0-9+/=_-]{40,}/g;

function failure(status: number, parsed: unknown, text: string, what: string, sensitive: boolean): KubeCallError {
  const fields = isJsonObject(parsed) ? parsed : {};
  const reason = typeof fields['reason'] === 'string' ? fields['reason'] : '';
  let message = typeof fields['message'] === 'string' ? fields['message'] : text.slice(0, 200) || `HTTP ${status}`;
  // A Status about a Secret could quote what was sent (a validation error names a value); keep its shape, drop anything key-like.
  if (sensitive) message = message.replace(SECRET_LOOKING, '<redacted>');
  const details = isJsonObject(fields['details']) ? fields['details'] : {};
  const causes = Array.isArray(details['causes']) ? details['causes'].flatMap((c) => (isJsonObject(c) && typeof c['reason'] === 'string' ? [c['reason']] : [])) : [];
  return new KubeCallError(status, reason, `${what}: ${status}${reason ? ` ${reason}` : ''}: ${message}`, causes);
}

/** The Status causes' reasons of a failed call ("NamespaceTerminating"), if any. */
export function causesOf(error: unknown): readonly string[] {
  return error instanceof KubeCallError ? error.causes : [];
}
