/**
 * The warms `GET /cache/warm/:id` can report, bounded (README, Active caching): at most
 * MAX_WARM_JOBS warms and MAX_WARM_WEIGHT characters of URL text. Room for a new warm is
 * made by forgetting the oldest finished ones; a running warm is never forgotten (its
 * acknowledgements still arrive), so when running warms alone fill the room a new one is
 * refused (429) rather than memory growing.
 */
import { TooManyWarmsError, WarmTooLargeError } from './errors.js';
import type { WarmJob } from './warm-job.js';

/** Warms remembered. */
export const MAX_WARM_JOBS = 100;
/**
 * URL characters remembered across warms (64 Mi: about 128 MB as UTF-16 at worst; a
 * typical warm of 10,000 URLs weighs under 1 Mi).
 */
export const MAX_WARM_WEIGHT = 64 * 1024 * 1024;

export class WarmJobStore {
  /** In insertion order: the first finished one is the oldest. */
  readonly #jobs = new Map<string, WarmJob>();
  readonly #maxJobs: number;
  readonly #maxWeight: number;
  #weight = 0;

  constructor(maxJobs = MAX_WARM_JOBS, maxWeight = MAX_WARM_WEIGHT) {
    this.#maxJobs = maxJobs;
    this.#maxWeight = maxWeight;
  }

  /** Keeps the warm, forgetting the oldest finished ones as needed; throws TooManyWarmsError when only running ones are left. */
  add(job: WarmJob): void {
    if (job.weight > this.#maxWeight) throw new WarmTooLargeError(job.sitemap === undefined ? 'urls' : 'sitemap', job.weight, this.#maxWeight);
    const fits = () => this.#jobs.size < this.#maxJobs && this.#weight + job.weight <= this.#maxWeight;
    if (!fits()) {
      for (const old of this.#jobs.values()) {
        if (!old.done) continue;
        this.#forget(old);
        if (fits()) break;
      }
    }
    if (!fits()) throw new TooManyWarmsError(this.running());
    this.#jobs.set(job.id, job);
    this.#weight += job.weight;
  }

  get(id: string): WarmJob | undefined {
    return this.#jobs.get(id);
  }

  running(): number {
    let count = 0;
    for (const job of this.#jobs.values()) if (!job.done) count++;
    return count;
  }

  #forget(job: WarmJob): void {
    this.#jobs.delete(job.id);
    this.#weight -= job.weight;
  }
}
