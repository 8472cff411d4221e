/**
 * Parses a rule's path pattern: the JavaScript regular-expression syntax an admin already
 * knows, minus everything that needs backtracking (backreferences, lookaround, word
 * boundaries). What is left is a regular language, which the automaton matches in time
 * linear in the path whatever the pattern (no `^/(a+)+$` stalls).
 *
 * Patterns are case-insensitive: every character set is case-folded while parsing.
 */
import { CharSet } from './char-set.js';

export type PatternNode =
  | { readonly type: 'empty' }
  | { readonly type: 'set'; readonly set: CharSet }
  | { readonly type: 'start' }
  | { readonly type: 'end' }
  | { readonly type: 'concat'; readonly items: readonly PatternNode[] }
  | { readonly type: 'alt'; readonly branches: readonly PatternNode[] }
  | { readonly type: 'repeat'; readonly node: PatternNode; readonly min: number; readonly max: number };

/** Upper bound of `{n,m}` counts: repetition is expanded into the automaton. */
export const MAX_REPEAT = 100;

export class PatternSyntaxError extends Error {
  readonly position: number;
  constructor(position: number, message: string) {
    super(`at position ${position}: ${message}`);
    this.name = 'PatternSyntaxError';
    this.position = position;
  }
}

const LINEAR_ONLY = 'patterns run on a linear-time engine';
const CONTROL_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, v: 0x0b, f: 0x0c, r: 0x0d };
const CLASS_ESCAPES: Record<string, CharSet> = {
  d: CharSet.digit,
  D: CharSet.digit.complement(),
  w: CharSet.word,
  W: CharSet.word.complement(),
  s: CharSet.space,
  S: CharSet.space.complement(),
};

const EMPTY: PatternNode = { type: 'empty' };

class Parser {
  readonly #source: string;
  #pos = 0;

  constructor(source: string) {
    this.#source = source;
  }

  parse(): PatternNode {
    const node = this.#disjunction();
    if (this.#pos < this.#source.length) {
      // Only an unmatched `)` stops a top-level disjunction early.
      throw new PatternSyntaxError(this.#pos, 'unmatched ")"');
    }
    return node;
  }

  #peek(offset = 0): string | undefined {
    return this.#source[this.#pos + offset];
  }

  #fail(message: string, at = this.#pos): never {
    throw new PatternSyntaxError(at, message);
  }

  #disjunction(): PatternNode {
    const branches = [this.#alternative()];
    while (this.#peek() === '|') {
      this.#pos++;
      branches.push(this.#alternative());
    }
    return branches.length === 1 ? (branches[0] as PatternNode) : { type: 'alt', branches };
  }

  #alternative(): PatternNode {
    const items: PatternNode[] = [];
    for (let ch = this.#peek(); ch !== undefined && ch !== '|' && ch !== ')'; ch = this.#peek()) {
      items.push(this.#term());
    }
    return items.length === 0 ? EMPTY : items.length === 1 ? (items[0] as PatternNode) : { type: 'concat', items };
  }

  #term(): PatternNode {
    const ch = this.#peek() as string;
    if (ch === '^' || ch === '$') {
      this.#pos++;
      if (this.#quantifierAhead()) this.#fail(`nothing to repeat: "${ch}" is an anchor`);
      return { type: ch === '^' ? 'start' : 'end' };
    }
    if (this.#quantifierAhead()) this.#fail(`nothing to repeat before "${ch}"`);
    return this.#quantified(this.#atom());
  }

  /** A `*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}` at the current position. */
  #quantifierAhead(): boolean {
    const ch = this.#peek();
    if (ch === '*' || ch === '+' || ch === '?') return true;
    return ch === '{' && /^\{\d+(,\d*)?\}/.test(this.#source.slice(this.#pos));
  }

  #quantified(atom: PatternNode): PatternNode {
    if (!this.#quantifierAhead()) return atom;
    let min: number;
    let max: number;
    const ch = this.#peek() as string;
    if (ch === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.#source.slice(this.#pos)) as RegExpExecArray;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
      if (max < min) this.#fail('numbers out of order in {} quantifier');
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.#fail(`repetition counts above ${MAX_REPEAT} are not supported`);
      this.#pos += match[0].length;
    } else {
      this.#pos++;
      [min, max] = ch === '*' ? [0, Infinity] : ch === '+' ? [1, Infinity] : [0, 1];
    }
    // A lazy quantifier matches the same paths as a greedy one; only captures differ.
    if (this.#peek() === '?') this.#pos++;
    if (this.#quantifierAhead()) this.#fail('nothing to repeat: a quantifier cannot follow a quantifier', this.#pos);
    return { type: 'repeat', node: atom, min, max };
  }

  #atom(): PatternNode {
    const ch = this.#peek() as string;
    switch (ch) {
      case '.':
        this.#pos++;
        return { type: 'set', set: CharSet.dot };
      case '(':
        return this.#group();
      case '[':
        return { type: 'set', set: this.#class() };
      case '\\':
        return { type: 'set', set: this.#atomEscape() };
      default:
        this.#pos++;
        return { type: 'set', set: CharSet.folded(ch.charCodeAt(0)) };
    }
  }

  #group(): PatternNode {
    const at = this.#pos;
    this.#pos++;
    if (this.#peek() === '?') {
      const kind = this.#source.slice(this.#pos, this.#pos + 3);
      if (kind.startsWith('?:')) this.#pos += 2;
      else if (kind.startsWith('?=') || kind.startsWith('?!')) this.#fail(`lookahead is not supported: ${LINEAR_ONLY}`, at);
      else if (kind === '?<=' || kind === '?<!') this.#fail(`lookbehind is not supported: ${LINEAR_ONLY}`, at);
      else if (kind.startsWith('?<')) {
        const name = /^\?<([A-Za-z_$][\w$]*)>/.exec(this.#source.slice(this.#pos));
        if (name === null) this.#fail('invalid group name', at);
        this.#pos += name[0].length;
      } else this.#fail('invalid group: expected (?:…) or (?<name>…)', at);
    }
    const inner = this.#disjunction();
    if (this.#peek() !== ')') this.#fail('unterminated group', at);
    this.#pos++;
    return inner;
  }

  #atomEscape(): CharSet {
    const at = this.#pos;
    this.#pos++;
    const ch = this.#peek();
    if (ch === undefined) this.#fail('\\ at end of pattern', at);
    if (ch === 'b' || ch === 'B') this.#fail(`word boundaries (\\${ch}) are not supported: ${LINEAR_ONLY}`, at);
    if (/[1-9]/.test(ch) || ch === 'k') this.#fail(`backreferences are not supported: ${LINEAR_ONLY}`, at);
    return this.#characterEscape(at);
  }

  /** After `\`: a class escape (`\d`) or one character; shared by atoms and classes. */
  #characterEscape(at: number): CharSet {
    const ch = this.#peek() as string;
    this.#pos++;
    const classEscape = CLASS_ESCAPES[ch];
    if (classEscape !== undefined) return classEscape;
    return CharSet.folded(this.#escapedUnit(ch, at));
  }

  #escapedUnit(ch: string, at: number): number {
    const control = CONTROL_ESCAPES[ch];
    if (control !== undefined) return control;
    if (ch === '0' && !/[0-9]/.test(this.#peek() ?? '')) return 0;
    if (ch === 'x' || ch === 'u') {
      const digits = ch === 'x' ? 2 : 4;
      const hex = this.#source.slice(this.#pos, this.#pos + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) this.#fail(`\\${ch} needs ${digits} hex digits`, at);
      this.#pos += digits;
      return parseInt(hex, 16);
    }
    if (ch === 'c') {
      const letter = this.#peek();
      if (letter === undefined || !/[A-Za-z]/.test(letter)) this.#fail('\\c needs a letter', at);
      this.#pos++;
      return letter.charCodeAt(0) % 32;
    }
    // An escaped letter or digit with no meaning is a typo (`\p{L}` means "p{L}" here):
    // refuse it rather than silently match the letter.
    if (/[A-Za-z0-9]/.test(ch)) this.#fail(`unknown escape \\${ch}`, at);
    return ch.charCodeAt(0);
  }

  #class(): CharSet {
    const at = this.#pos;
    this.#pos++;
    const negated = this.#peek() === '^';
    if (negated) this.#pos++;
    let set = CharSet.empty;
    while (this.#peek() !== ']') {
      if (this.#peek() === undefined) this.#fail('unterminated character class', at);
      const itemAt = this.#pos;
      const low = this.#classAtom();
      if (this.#peek() === '-' && this.#peek(1) !== ']' && this.#peek(1) !== undefined) {
        this.#pos++;
        const high = this.#classAtom();
        if (typeof low !== 'number' || typeof high !== 'number') this.#fail('a class escape cannot bound a range', itemAt);
        if (high < low) this.#fail('range out of order in character class', itemAt);
        set = set.union(CharSet.of([low, high]).foldCase());
      } else {
        set = set.union(typeof low === 'number' ? CharSet.folded(low) : low);
      }
    }
    this.#pos++;
    return negated ? set.complement() : set;
  }

  /** One class member: a code unit, or a class escape's set. */
  #classAtom(): number | CharSet {
    const ch = this.#peek() as string;
    if (ch !== '\\') {
      this.#pos++;
      return ch.charCodeAt(0);
    }
    const at = this.#pos;
    this.#pos++;
    const escaped = this.#peek();
    if (escaped === undefined) this.#fail('\\ at end of pattern', at);
    if (escaped === 'b') {
      this.#pos++;
      return 0x08;
    }
    const classEscape = CLASS_ESCAPES[escaped];
    if (classEscape !== undefined) {
      this.#pos++;
      return classEscape;
    }
    this.#pos++;
    if (escaped === '-') return 0x2d;
    return this.#escapedUnit(escaped, at);
  }
}

/** Parses a pattern, or throws a PatternSyntaxError naming the position and the problem. */
export function parsePattern(source: string): PatternNode {
  return new Parser(source).parse();
}

