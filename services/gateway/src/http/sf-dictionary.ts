/**
 * A Structured Field Dictionary (RFC 8941 §4.2.2, with RFC 9651's Date and Display
 * String items), the syntax of the targeted cache fields of RFC 9213 §2.1. Member
 * parameters are parsed and dropped: no cache directive defines one. A field that does
 * not parse yields undefined, so the caller ignores it whole.
 */

export type SfValue =
  | { type: 'integer' | 'decimal' | 'date'; value: number }
  | { type: 'string' | 'token' | 'bytes' | 'display'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'inner-list' };

class SfParseError extends Error {}

const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const ALPHA = /[A-Za-z]/;
const DIGIT = /[0-9]/;
const BASE64 = /[A-Za-z0-9+/=]/;

class Parser {
  #i = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.#i >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.#i];
  }

  #fail(): never {
    throw new SfParseError(`invalid structured field at ${this.#i}`);
  }

  skip(chars: string): void {
    while (!this.done && chars.includes(this.peek()!)) this.#i++;
  }

  expect(char: string): void {
    if (this.peek() !== char) this.#fail();
    this.#i++;
  }

  key(): string {
    const start = this.#i;
    if (!KEY_START.test(this.peek() ?? '')) this.#fail();
    while (!this.done && KEY_CHAR.test(this.peek()!)) this.#i++;
    return this.text.slice(start, this.#i);
  }

  #number(): SfValue {
    const start = this.#i;
    if (this.peek() === '-') this.#i++;
    if (!DIGIT.test(this.peek() ?? '')) this.#fail();
    let dot = -1;
    while (!this.done && (DIGIT.test(this.peek()!) || (this.peek() === '.' && dot === -1))) {
      if (this.peek() === '.') dot = this.#i;
      this.#i++;
    }
    const text = this.text.slice(start, this.#i);
    const digits = text.replace('-', '');
    if (dot === -1) {
      if (digits.length > 15) this.#fail();
      return { type: 'integer', value: Number(text) };
    }
    const [whole = '', fraction = ''] = digits.split('.');
    if (whole.length > 12 || fraction.length === 0 || fraction.length > 3) this.#fail();
    return { type: 'decimal', value: Number(text) };
  }

  #string(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined) this.#fail();
      this.#i++;
      if (char === '"') return out;
      if (char === '\\') {
        const escaped = this.peek();
        if (escaped !== '"' && escaped !== '\\') this.#fail();
        out += escaped;
        this.#i++;
      } else {
        const code = char.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) this.#fail();
        out += char;
      }
    }
  }

  #token(): string {
    const start = this.#i;
    if (!(ALPHA.test(this.peek() ?? '') || this.peek() === '*')) this.#fail();
    while (!this.done && TOKEN_CHAR.test(this.peek()!)) this.#i++;
    return this.text.slice(start, this.#i);
  }

  #bytes(): string {
    this.expect(':');
    const start = this.#i;
    while (!this.done && BASE64.test(this.peek()!)) this.#i++;
    const value = this.text.slice(start, this.#i);
    this.expect(':');
    return value;
  }

  #displayString(): string {
    this.expect('%');
    const encoded = this.#string();
    try {
      return decodeURIComponent(encoded);
    } catch {
      return this.#fail();
    }
  }

  bareItem(): SfValue {
    const char = this.peek() ?? '';
    if (char === '-' || DIGIT.test(char)) return this.#number();
    if (char === '"') return { type: 'string', value: this.#string() };
    if (char === ':') return { type: 'bytes', value: this.#bytes() };
    if (char === '%') return { type: 'display', value: this.#displayString() };
    if (char === '?') {
      this.#i++;
      const bit = this.peek();
      if (bit !== '0' && bit !== '1') this.#fail();
      this.#i++;
      return { type: 'boolean', value: bit === '1' };
    }
    if (char === '@') {
      this.#i++;
      const date = this.#number();
      if (date.type !== 'integer') this.#fail();
      return { type: 'date', value: date.value };
    }
    return { type: 'token', value: this.#token() };
  }

  parameters(): void {
    while (this.peek() === ';') {
      this.#i++;
      this.skip(' ');
      this.key();
      if (this.peek() === '=') {
        this.#i++;
        this.bareItem();
      }
    }
  }

  itemOrInnerList(): SfValue {
    if (this.peek() !== '(') {
      const item = this.bareItem();
      this.parameters();
      return item;
    }
    this.#i++;
    for (;;) {
      this.skip(' ');
      if (this.peek() === ')') break;
      this.bareItem();
      this.parameters();
      const next = this.peek();
      if (next !== ' ' && next !== ')') this.#fail();
    }
    this.#i++;
    this.parameters();
    return { type: 'inner-list' };
  }
}

const TRUE: SfValue = { type: 'boolean', value: true };

/** RFC 8941 §4.2.2: a repeated key keeps its last value. Undefined when the text does not parse. */
export function parseSfDictionary(text: string): Map<string, SfValue> | undefined {
  const parser = new Parser(text);
  const dictionary = new Map<string, SfValue>();
  try {
    parser.skip(' ');
    while (!parser.done) {
      const key = parser.key();
      let value = TRUE;
      if (parser.peek() === '=') {
        parser.expect('=');
        value = parser.itemOrInnerList();
      } else {
        parser.parameters();
      }
      dictionary.set(key, value);
      parser.skip(' \t');
      if (parser.done) break;
      parser.expect(',');
      parser.skip(' \t');
      // A trailing comma is an error (§4.2.2).
      if (parser.done) return undefined;
    }
  } catch (err) {
    if (err instanceof SfParseError) return undefined;
    throw err;
  }
  return dictionary;
}
