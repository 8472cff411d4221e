/**
 * A JSON client for the rules and invalidation REST APIs: Basic credentials when given, and
 * every failure turned into the CLI's errors — no answer is `UnreachableError` (exit 3), a
 * 4xx/5xx is `OperationFailedError` (exit 1) naming the status and the server's message/field.
 */
import { OperationFailedError, UnreachableError } from './errors.js';
import type { BasicCredentials } from './settings.js';

/** Longer than any wait a service does on purpose (an invalidation's confirmations, 2 s by default). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface RestAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined for an empty one. */
  body: unknown;
}

/** `{error, message, field}` as every Cairn service answers a refused request. */
function describeRefusal(body: unknown, text: string): string {
  const { error, message, field } = (body ?? {}) as { error?: unknown; message?: unknown; field?: unknown };
  if (typeof message !== 'string') return text.trim().slice(0, 200) || 'no body';
  const code = typeof error === 'string' ? `${error}: ` : '';
  const where = typeof field === 'string' && field !== '' && !message.includes(field) ? ` (field ${field})` : '';
  return `${code}${message}${where}`;
}

export class RestClient {
  readonly #service: string;
  readonly #baseUrl: string;
  readonly #authorization: string | undefined;

  constructor(service: string, baseUrl: string, credentials: BasicCredentials | undefined) {
    this.#service = service;
    this.#baseUrl = baseUrl;
    this.#authorization = credentials === undefined ? undefined : `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  }

  async request(method: string, path: string, body?: unknown): Promise<RestAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (err) {
      throw new UnreachableError(`the ${this.#service}`, this.#baseUrl, err);
    }
    let parsed: unknown;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        if (response.ok) throw new OperationFailedError(`${this.#service}: ${method} ${path}: ${response.status} with a body that is not JSON`, { cause: err });
      }
    }
    if (!response.ok) {
      throw new OperationFailedError(`${this.#service}: ${method} ${path}: ${response.status} ${response.statusText}: ${describeRefusal(parsed, text)}`, { status: response.status });
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}
