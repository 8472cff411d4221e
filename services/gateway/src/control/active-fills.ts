/**
 * The queue of fills made ahead of clients (warming, refresh invalidations): at most
 * ACTIVE_FILL_CONCURRENCY at once per gateway, so a warming of thousands of URLs or a
 * refresh of a whole cache offloads the origin instead of flooding it. Clients' misses
 * never wait here.
 */
import type { GatewayContext } from '../context.js';
import { fillAhead, type AheadOutcome, type AheadRequest } from '../flow/fill-ahead.js';

export type ActiveCause = 'warm' | 'refresh';

export class ActiveFills {
  readonly #context: GatewayContext;
  readonly #limit: number;
  readonly #waiting: Array<() => void> = [];
  #running = 0;

  constructor(context: GatewayContext) {
    this.#context = context;
    this.#limit = context.env.ACTIVE_FILL_CONCURRENCY;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  async run(cause: ActiveCause, request: AheadRequest): Promise<AheadOutcome> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    let outcome: AheadOutcome;
    try {
      outcome = await fillAhead(this.#context, request);
    } catch (err) {
      this.#context.logger.error({ err, url: request.url, cause }, 'fill ahead of clients failed');
      outcome = { outcome: 'failed', reason: 'internal-error' };
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
    this.#context.metrics.activeFills.inc({ cause, outcome: outcome.outcome });
    return outcome;
  }
}
