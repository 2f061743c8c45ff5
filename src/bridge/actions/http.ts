import type { Readable } from 'node:stream';
import { lazy } from '../../lazy-require.js';
import type { HttpStep } from './schema.js';
import { errorMessage, formatMs, OutputCapture, truncate, type StepResult } from './output.js';
import { redactUrl, renderJson, renderUrl, scrubUrlSecrets, type TemplateContext } from './template.js';

// Loaded by the first http action: axios costs ~8 MB of resident memory in a `serve` that never runs one.
const axios = lazy<typeof import('axios')>('axios');

/** An `http` step with the alert's values inserted, ready to send (or to show, in dry-run mode). */
export interface PreparedHttp {
  readonly kind: 'http';
  readonly method: HttpStep['method'];
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Serialised JSON body; undefined when the step has none. */
  readonly body: string | undefined;
  /** `POST https://host/path`: no userinfo, query or fragment. */
  readonly target: string;
}

export function prepareHttp(step: HttpStep, context: TemplateContext): PreparedHttp {
  const url = renderUrl(step.url, context);
  // The template is a parsed JSON value; placeholders are replaced inside its string values and the result is
  // serialised as a whole, so alert text can never change the document's structure.
  const body = step.body === undefined ? undefined : JSON.stringify(renderJson(step.body, context));
  const headers: Record<string, string> = { 'user-agent': 'ide-monitor-actions', ...lowerCaseKeys(step.headers ?? {}) };
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  return { kind: 'http', method: step.method, url, headers, body, target: `${step.method} ${redactUrl(url)}` };
}

/** What a dry run shows: the rendered body (headers are omitted, they tend to carry tokens). */
export function previewHttp(prepared: PreparedHttp): string {
  return truncate(prepared.body === undefined ? '(no body)' : `body: ${prepared.body}`);
}

/**
 * Sends the request. 2xx is success; anything else (including redirects, which are not followed: a remediation
 * POST should reach exactly the configured server) is a failure carrying the status and a body excerpt.
 */
export async function sendHttp(prepared: PreparedHttp, timeoutMs: number): Promise<StepResult> {
  const result = await exchange(prepared, timeoutMs);
  if (result.outcome === 'succeeded') return result;
  // The audit record of a failure must not carry the URL's query: a receiver's error page may echo it.
  return {
    ...result,
    outputExcerpt: scrubUrlSecrets(result.outputExcerpt, prepared.url),
    ...(result.error !== undefined && { error: scrubUrlSecrets(result.error, prepared.url) }),
  };
}

async function exchange(prepared: PreparedHttp, timeoutMs: number): Promise<StepResult> {
  // One deadline for the whole exchange (connect, headers and body): axios' own timeout alone does not
  // bound a server that trickles its body.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    const response = await axios().default.request<Readable>({
      method: prepared.method,
      url: prepared.url,
      headers: prepared.headers,
      data: prepared.body,
      timeout: timeoutMs,
      signal: deadline.signal,
      responseType: 'stream',
      maxRedirects: 0,
      validateStatus: () => true,
      // The body is a string we serialised; stop axios from re-encoding it.
      transformRequest: [(data: unknown) => data],
    });
    const capture = await readCapped(response.data, deadline.signal);
    const status = response.status;
    if (deadline.signal.aborted) {
      return { outcome: 'timed_out', httpStatus: status, outputExcerpt: capture.excerpt(), error: `response body not complete within ${formatMs(timeoutMs)}` };
    }
    if (status >= 200 && status < 300) return { outcome: 'succeeded', httpStatus: status, outputExcerpt: capture.excerpt() };
    return {
      outcome: 'failed',
      httpStatus: status,
      outputExcerpt: capture.excerpt(),
      error: `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`,
    };
  } catch (error) {
    const code = axios().default.isAxiosError(error) ? error.code : undefined;
    if (deadline.signal.aborted || code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return { outcome: 'timed_out', outputExcerpt: '', error: `no response within ${formatMs(timeoutMs)}` };
    }
    // Axios messages name the host and errno (ECONNREFUSED 127.0.0.1:80); the URL itself is left out because
    // its query may carry credentials.
    return { outcome: 'failed', outputExcerpt: '', error: `request failed: ${errorMessage(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a response body into a bounded capture; stops (and destroys the stream) when the deadline passes. */
function readCapped(stream: Readable, signal: AbortSignal): Promise<OutputCapture> {
  const capture = new OutputCapture();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      resolve(capture);
    };
    const onAbort = () => {
      stream.destroy();
      done();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => capture.push(chunk));
    stream.once('end', done);
    // A body cut short still leaves the status code, which is what decides the outcome.
    stream.once('error', done);
    stream.once('close', done);
  });
}

function lowerCaseKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
}
