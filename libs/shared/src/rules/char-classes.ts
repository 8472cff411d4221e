/**
 * The alphabet of a pattern's DFA: code units grouped into classes that no character set
 * of the pattern tells apart, over the whole UTF-16 range (so a path full of distinct
 * non-ASCII characters reuses a handful of classes instead of growing the DFA). ASCII is
 * one table load; other units a binary search over the sets' range boundaries.
 */
import type { CharSet } from './char-set.js';

const MAX_UNIT = 0xffff;

export class CharClasses {
  readonly count: number;
  /** The class of each ASCII unit (read directly by the matching loop). */
  readonly ascii = new Uint16Array(128);
  /** Start of each interval from 128 on (ascending), and its class. */
  readonly #starts: number[];
  readonly #intervalClass: number[];
  /** One unit of each class, to compute its transitions with. */
  readonly #representatives: number[] = [];

  constructor(sets: Iterable<CharSet | undefined>) {
    const distinct: CharSet[] = [];
    for (const set of sets) if (set !== undefined && !distinct.includes(set)) distinct.push(set);
    // ASCII first, by refinement: each class splits into its members inside and outside a set.
    const ascii = new Uint16Array(128);
    const inside = new Uint8Array(128);
    const remap = new Int32Array(256);
    let asciiCount = 1;
    for (const set of distinct) {
      inside.fill(0);
      for (let r = 0; r < set.ranges.length && (set.ranges[r] as number) < 128; r += 2) {
        inside.fill(1, set.ranges[r] as number, Math.min(128, (set.ranges[r + 1] as number) + 1));
      }
      remap.fill(-1, 0, asciiCount * 2);
      let next = 0;
      for (let unit = 0; unit < 128; unit++) {
        const key = (ascii[unit] as number) * 2 + (inside[unit] as number);
        if ((remap[key] as number) < 0) remap[key] = next++;
        ascii[unit] = remap[key] as number;
      }
      asciiCount = next;
    }
    // Beyond ASCII: intervals between the sets' range boundaries answer alike.
    const cuts = new Set<number>([128]);
    for (const set of distinct) {
      for (let r = 0; r < set.ranges.length; r += 2) {
        const lo = set.ranges[r] as number;
        const hi = set.ranges[r + 1] as number;
        if (lo > 128) cuts.add(lo);
        if (hi >= 128 && hi < MAX_UNIT) cuts.add(hi + 1);
      }
    }
    this.#starts = [...cuts].sort((a, b) => a - b);
    // A class is the sets that contain its units: an interval may share an ASCII class.
    const byMembers = new Map<string, number>();
    const classOf = (unit: number): number => {
      let members = '';
      for (const set of distinct) members += set.has(unit) ? '1' : '0';
      let cls = byMembers.get(members);
      if (cls === undefined) {
        cls = byMembers.size;
        byMembers.set(members, cls);
        this.#representatives.push(unit);
      }
      return cls;
    };
    const asciiFinal = new Int32Array(asciiCount).fill(-1);
    for (let unit = 0; unit < 128; unit++) {
      const local = ascii[unit] as number;
      if ((asciiFinal[local] as number) < 0) asciiFinal[local] = classOf(unit);
      this.ascii[unit] = asciiFinal[local] as number;
    }
    this.#intervalClass = this.#starts.map(classOf);
    this.count = byMembers.size;
  }

  /** The class of a code unit. */
  of(unit: number): number {
    if (unit < 128) return this.ascii[unit] as number;
    const starts = this.#starts;
    let low = 0;
    let high = starts.length - 1;
    // The last interval starting at or before `unit`.
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((starts[mid] as number) <= unit) low = mid;
      else high = mid - 1;
    }
    return this.#intervalClass[low] as number;
  }

  representative(cls: number): number {
    return this.#representatives[cls] as number;
  }
}
