/**
 * A set of UTF-16 code units as sorted, disjoint, inclusive ranges: what one position of
 * a path pattern accepts. Built once per pattern at compile time, so clarity beats speed.
 */

const MAX_UNIT = 0xffff;
const FOLDED_ASCII: Array<CharSet | undefined> = [];

export class CharSet {
  /** Flat `[lo0, hi0, lo1, hi1, …]`, sorted and disjoint. */
  readonly ranges: readonly number[];

  private constructor(ranges: readonly number[]) {
    this.ranges = ranges;
  }

  static of(...ranges: Array<[number, number]>): CharSet {
    return CharSet.#normalize(ranges);
  }

  static char(unit: number): CharSet {
    return new CharSet([unit, unit]);
  }

  /** A character up to case: `a` → `[aA]`. ASCII sets are shared, so parsing allocates little. */
  static folded(unit: number): CharSet {
    if (unit >= 128) return CharSet.char(unit).foldCase();
    return (FOLDED_ASCII[unit] ??= CharSet.char(unit).foldCase());
  }

  static readonly empty = new CharSet([]);
  static readonly any = new CharSet([0, MAX_UNIT]);
  static readonly digit = CharSet.of([0x30, 0x39]);
  static readonly word = CharSet.of([0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]);
  /** ECMAScript WhiteSpace and LineTerminator, what `\s` matches. */
  static readonly space = CharSet.of(
    [0x09, 0x0d],
    [0x20, 0x20],
    [0xa0, 0xa0],
    [0x1680, 0x1680],
    [0x2000, 0x200a],
    [0x2028, 0x2029],
    [0x202f, 0x202f],
    [0x205f, 0x205f],
    [0x3000, 0x3000],
    [0xfeff, 0xfeff],
  );
  /** What `.` matches: everything but line terminators. */
  static readonly dot = CharSet.of([0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]).complement();

  static #normalize(pairs: Array<[number, number]>): CharSet {
    const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [lo, hi] of sorted) {
      const last = out.length - 1;
      if (last > 0 && lo <= (out[last] as number) + 1) out[last] = Math.max(out[last] as number, hi);
      else out.push(lo, hi);
    }
    return new CharSet(out);
  }

  #pairs(): Array<[number, number]> {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < this.ranges.length; i += 2) pairs.push([this.ranges[i] as number, this.ranges[i + 1] as number]);
    return pairs;
  }

  has(unit: number): boolean {
    for (let i = 0; i < this.ranges.length; i += 2) {
      if (unit < (this.ranges[i] as number)) return false;
      if (unit <= (this.ranges[i + 1] as number)) return true;
    }
    return false;
  }

  union(other: CharSet): CharSet {
    return CharSet.#normalize([...this.#pairs(), ...other.#pairs()]);
  }

  complement(): CharSet {
    const out: Array<[number, number]> = [];
    let next = 0;
    for (const [lo, hi] of this.#pairs()) {
      if (lo > next) out.push([next, lo - 1]);
      next = hi + 1;
    }
    if (next <= MAX_UNIT) out.push([next, MAX_UNIT]);
    return CharSet.#normalize(out);
  }

  /**
   * Adds the other case of every letter, which is how patterns become case-insensitive.
   * ASCII ranges fold exactly; outside ASCII only ranges of up to 256 units are folded
   * (one character at a time), since paths are lowercased ASCII in practice.
   */
  foldCase(): CharSet {
    const added: Array<[number, number]> = [];
    for (const [lo, hi] of this.#pairs()) {
      const upperLo = Math.max(lo, 0x61);
      const upperHi = Math.min(hi, 0x7a);
      if (upperLo <= upperHi) added.push([upperLo - 32, upperHi - 32]);
      const lowerLo = Math.max(lo, 0x41);
      const lowerHi = Math.min(hi, 0x5a);
      if (lowerLo <= lowerHi) added.push([lowerLo + 32, lowerHi + 32]);
      if (hi >= 0x80 && hi - Math.max(lo, 0x80) < 256) {
        for (let unit = Math.max(lo, 0x80); unit <= hi; unit++) {
          for (const variant of [String.fromCharCode(unit).toLowerCase(), String.fromCharCode(unit).toUpperCase()]) {
            if (variant.length === 1) added.push([variant.charCodeAt(0), variant.charCodeAt(0)]);
          }
        }
      }
    }
    return added.length === 0 ? this : CharSet.#normalize([...this.#pairs(), ...added]);
  }

  /**
   * The one lowercase character this set stands for when it is a literal up to case
   * (`a`, `[aA]`, `/`), or undefined for a real class. Prefixes and specificity use it.
   */
  literal(): string | undefined {
    if (this.#literal === null) this.#literal = this.#computeLiteral();
    return this.#literal;
  }

  #literal: string | undefined | null = null;

  #computeLiteral(): string | undefined {
    const r = this.ranges;
    if (r.length === 2 && r[0] === r[1]) return String.fromCharCode(r[0] as number).toLowerCase();
    let a: number;
    let b: number;
    if (r.length === 2 && (r[1] as number) - (r[0] as number) === 1) [a, b] = [r[0] as number, r[1] as number];
    else if (r.length === 4 && r[0] === r[1] && r[2] === r[3]) [a, b] = [r[0] as number, r[2] as number];
    else return undefined;
    const lower = String.fromCharCode(a).toLowerCase();
    return String.fromCharCode(b).toLowerCase() === lower ? lower : undefined;
  }
}
