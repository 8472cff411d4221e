/**
 * The proxy's answer under construction: the few operations the flow needs from a response
 * (fields, status, a Buffer / stream / JSON body or none), on node's ServerResponse without a
 * framework's per-request objects. Fields are collected in one plain object (lowercase
 * names, as node and the gateway spell them) and written with the status by one
 * `writeHead`, so node validates each once and keeps no header map of its own. The
 * defaults are the ones fastify applied, so answers are byte-for-byte what they were:
 * a Buffer without a Content-Type is `application/octet-stream`, a JSON body
 * `application/json; charset=utf-8`, and Content-Length is the body's (HEAD keeps a given one).
 */
import type { ServerResponse } from 'node:http';
import { finished, Readable } from 'node:stream';
import type { Exchange } from './exchange.js';
import type { CacheOutcome, ErrorReason } from './outcome.js';

export type FieldValue = string | string[];
export type Fields = Record<string, FieldValue>;

/**
 * A stream body failed. Before its first byte (the head has not gone out) the server can
 * still answer the error; after it, it destroys the response: the client sees a cut
 * answer, never a second head.
 */
export type BodyFailure = (reply: Reply, err: Error) => void;

/**
 * Called once per reply when its last byte has been handed to the client's socket, or when
 * it ended without that (`aborted`: the client went away, or the answer was cut). One
 * object per server, so a reply costs no closure. `countsBytes`: count a streamed body's
 * bytes (the access log wants them; a Buffer's are known without counting).
 */
export interface ReplyEnd {
  readonly countsBytes: boolean;
  ended(reply: Reply, aborted: boolean): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const OCTET_TYPE = 'application/octet-stream';

export class Reply {
  readonly raw: ServerResponse;
  statusCode = 200;
  /** Allocated by the first field set: a hit that writes its fields as an array never needs it. */
  #fields: Fields | undefined = undefined;
  readonly #bodyFailed: BodyFailure;
  readonly #end: ReplyEnd | undefined;
  #ended = false;
  /** When the request arrived (performance.now()), for the answer's latency. */
  readonly arrivedAt: number;
  /** The exchange this answers; undefined when the request was refused before one existed. */
  exchange: Exchange | undefined = undefined;
  /** Body bytes written: a Buffer's or JSON's length, a stream's as counted when `countsBytes`. */
  bodyBytes = 0;
  /** An error answer's mark and reason (flow/deliver.ts deliverError), which the exchange's may not be. */
  errorOutcome: CacheOutcome | undefined = undefined;
  errorReason: ErrorReason | undefined = undefined;

  constructor(raw: ServerResponse, bodyFailed: BodyFailure, end?: ReplyEnd) {
    this.raw = raw;
    this.#bodyFailed = bodyFailed;
    this.#end = end;
    this.arrivedAt = end === undefined ? 0 : performance.now();
  }

  /** The answer is complete (or never will be): reported once. */
  ended(aborted: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#end?.ended(this, aborted);
  }

  /** The request's target, for the log. */
  get url(): string {
    return this.raw.req.url ?? '';
  }

  /** Something of the answer is on its way: it can no longer be replaced. */
  get started(): boolean {
    return this.raw.headersSent || this.raw.writableEnded;
  }

  /** No field was set yet. */
  get bare(): boolean {
    return this.#fields === undefined && !this.raw.headersSent;
  }

  header(name: string, value: FieldValue): this {
    (this.#fields ??= {})[name] = value;
    return this;
  }

  /** Copies every field of `fields`, replacing those already set. */
  headers(fields: Fields): this {
    const own = (this.#fields ??= {});
    for (const name in fields) own[name] = fields[name] as FieldValue;
    return this;
  }

  removeHeader(name: string): this {
    if (this.#fields !== undefined && name in this.#fields) delete this.#fields[name];
    return this;
  }

  /** Forgets every field set so far, including those a stream body's head had handed to node. */
  clearHeaders(): this {
    this.#fields = undefined;
    if (!this.raw.headersSent) for (const name of this.raw.getHeaderNames()) this.raw.removeHeader(name);
    return this;
  }

  code(status: number): this {
    this.statusCode = status;
    return this;
  }

  /** Sends the answer: nothing, a whole Buffer, a stream (with backpressure), or a value as JSON. */
  send(body?: Buffer | Readable | object): this {
    if (body === undefined) return this.#sendEmpty();
    if (Buffer.isBuffer(body)) return this.#sendBuffer(body);
    if (body instanceof Readable) return this.#sendStream(body);
    return this.#sendJson(body);
  }

  /**
   * The hit's way: `fields` is a flat `[name, value, …]` list holding every field,
   * Content-Length included, written as it is (node accepts the flat form and builds the
   * head from it without an intermediate map).
   */
  sendFields(status: number, fields: readonly FieldValue[], body: Buffer): this {
    this.statusCode = status;
    this.raw.writeHead(status, fields as FieldValue[]);
    this.raw.end(body);
    this.#sentWhole(body.length);
    return this;
  }

  /** A body written in one `end`: HEAD sends none (node drops it). */
  #sentWhole(bytes: number): void {
    this.bodyBytes = this.raw.req.method === 'HEAD' ? 0 : bytes;
    // A client gone before the answer was written (a collapsed waiter's, say) never got it.
    this.ended(this.raw.destroyed);
  }

  #sendEmpty(): this {
    const status = this.statusCode;
    // RFC 9110 §8.6: none on 1xx, 204 and 304; HEAD keeps the length of the body it would have had.
    if (status >= 200 && status !== 204 && status !== 304 && this.raw.req.method !== 'HEAD') this.header('content-length', '0');
    this.raw.writeHead(status, this.#fields);
    this.raw.end();
    this.#sentWhole(0);
    return this;
  }

  #sendBuffer(body: Buffer): this {
    const fields = (this.#fields ??= {});
    fields['content-type'] ??= OCTET_TYPE;
    const length = fields['content-length'];
    if (length === undefined || (this.raw.req.method !== 'HEAD' && Number(length) !== body.length)) fields['content-length'] = String(body.length);
    this.raw.writeHead(this.statusCode, fields);
    this.raw.end(body);
    this.#sentWhole(body.length);
    return this;
  }

  #sendJson(body: object): this {
    const payload = JSON.stringify(body);
    const fields = (this.#fields ??= {});
    fields['content-type'] ??= JSON_TYPE;
    const length = Buffer.byteLength(payload);
    fields['content-length'] = String(length);
    this.raw.writeHead(this.statusCode, fields);
    this.raw.end(payload);
    this.#sentWhole(length);
    return this;
  }

  /**
   * The head goes out with the first byte (node writes set fields lazily), so a body that
   * fails before it can still be answered with an error. A client that goes away destroys
   * the body, which frees its origin connection (client aborts, #9).
   */
  #sendStream(body: Readable): this {
    const res = this.raw;
    res.statusCode = this.statusCode;
    const fields = this.#fields;
    if (fields !== undefined) for (const name in fields) res.setHeader(name, fields[name] as FieldValue);
    let bodyOpen = true;
    finished(body, { readable: true, writable: false }, (err) => {
      bodyOpen = false;
      if (err !== undefined && err !== null) this.#bodyFailed(this, err);
    });
    finished(res, (err) => {
      if (bodyOpen) body.destroy();
      this.ended(err !== undefined && err !== null);
    });
    if (this.#end?.countsBytes === true) body.on('data', (chunk: Buffer) => (this.bodyBytes += chunk.length));
    body.pipe(res);
    return this;
  }
}
