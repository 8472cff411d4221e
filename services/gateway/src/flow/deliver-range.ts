/**
 * The body of a complete 200 as the client's `Range` asks (RFC 9110 §14): 206 with one
 * range, 416 when none is satisfiable, the whole 200 otherwise. Only GET has range
 * semantics (§14.2), so HEAD and every other answer are sent whole. The caller has set
 * the response's fields and the gateway's own; Cache-Status is not changed by a range.
 */
import type { Reply } from './reply.js';
import type { GatewayContext } from '../context.js';
import { contentRange, selectRange, unsatisfiedRange, type RangeValidators } from '../http/range.js';
import type { Exchange } from './exchange.js';
import { assertNever } from './outcome.js';
import { firstFieldLine } from '../http/field-lines.js';

type Fields = Record<string, string | string[] | undefined>;

/**
 * A 416 describes no representation: without these, nothing downstream stores it as if
 * it were the resource or reads its empty body as the content (§15.5.17).
 */
const NOT_FOR_416 = ['cache-control', 'expires', 'content-type', 'content-encoding', 'content-language', 'content-location'];


function validators(fields: Fields): RangeValidators {
  return { etag: firstFieldLine(fields.etag), lastModified: firstFieldLine(fields['last-modified']), date: firstFieldLine(fields.date) };
}

/** Sends `body`, the complete content of a `status` answer with `fields`, honouring a Range on a 200. */
export function sendBody(exchange: Exchange, context: GatewayContext, reply: Reply, status: number, fields: Fields, body: Buffer): Reply {
  if (status !== 200) return reply.code(status).send(body);
  // §14.3: the gateway serves byte ranges of whatever it holds whole.
  reply.header('accept-ranges', 'bytes');
  const range = exchange.headers.range;
  if (range === undefined || exchange.method !== 'GET') return reply.code(200).send(body);
  const selection = selectRange(range, firstFieldLine(exchange.headers['if-range']), body.length, validators(fields));
  context.metrics.rangeAnswers.inc({ answer: selection.kind });
  switch (selection.kind) {
    case 'partial':
      reply.header('content-range', contentRange(selection.range, body.length));
      return reply.code(206).send(body.subarray(selection.range.start, selection.range.end + 1));
    case 'unsatisfiable':
      for (const name of NOT_FOR_416) reply.removeHeader(name);
      reply.header('content-range', unsatisfiedRange(body.length));
      return reply.code(416).send();
    case 'ignored':
      return reply.code(200).send(body);
    default:
      return assertNever(selection);
  }
}
