/**
 * istiod's webhook port (15017): HTTPS, POST /validate (and /validate/) for
 * the validating admission webhook, and GET /ready.
 *
 * A body that is not JSON, not an AdmissionReview v1, not application/json or
 * larger than the apiserver's own request limit (6 MiB) gets an HTTP error
 * and a galley_validation_http_error count, never a crash.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ValidationObserver } from '../metrics/validation-metrics.js';
import { reviewAdmission } from './admission.js';
import type { ServingCert } from './serving-cert.js';

/** kube-apiserver's own limit on a request body (3 MiB objects, doubled for JSON's overhead). */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface WebhookServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly cert: ServingCert;
  readonly ready: () => boolean;
  readonly observer?: ValidationObserver;
  readonly logger?: Logger;
  readonly maxBodyBytes?: number;
}

export interface WebhookServer {
  readonly port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const server = https.createServer({ cert: options.cert.certPem, key: options.cert.keyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 500) options.logger?.error({ err }, 'webhook request failed');
      options.observer?.httpError(status);
      reply(res, status, 'text/plain', `${message}\n`, status === 413);
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ready') {
      if (options.ready()) reply(res, 200, 'text/plain', 'ready\n');
      else reply(res, 503, 'text/plain', 'not ready\n');
      return;
    }
    if (path !== '/validate' && path !== '/validate/') {
      reply(res, 404, 'text/plain', 'not found\n');
      return;
    }
    if (req.method !== 'POST') throw new HttpError(405, `${req.method ?? '?'} not allowed: POST an AdmissionReview`);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') throw new HttpError(415, 'invalid Content-Type, want `application/json`');
    const text = await readBody(req, maxBodyBytes);
    if (text.length === 0) throw new HttpError(400, 'no body found');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, `could not decode body: ${err instanceof Error ? err.message : String(err)}`);
    }
    const outcome = reviewAdmission(body, {
      ...(options.observer ? { observer: options.observer } : {}),
      onDecision: (decision) => {
        if (decision.allowed) options.logger?.debug(decision, 'admission allowed');
        else options.logger?.info(decision, `admission denied: ${decision.message ?? ''}`);
      },
    });
    if (outcome.review) reply(res, 200, 'application/json', JSON.stringify(outcome.review));
    else reply(res, outcome.httpStatus, 'text/plain', `${outcome.error}\n`);
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', (err) => options.logger?.error({ err }, 'webhook server error'));
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : options.port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function reply(res: ServerResponse, status: number, type: string, body: string, closeConnection = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': type, ...(closeConnection ? { connection: 'close' } : {}) });
  res.end(body);
}

/** The body as text; a 413 HttpError as soon as it passes the limit (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
  });
}
