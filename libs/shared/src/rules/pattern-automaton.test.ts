import { seededRandom } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { MAX_PROGRAM_SIZE, PatternAutomaton } from './pattern-automaton.js';
import { parsePattern } from './pattern-syntax.js';

const automaton = (pattern: string) => new PatternAutomaton(parsePattern(pattern));
/** Hands every match to the thread simulation at its first uncomputed DFA step. */
const simulated = (pattern: string) => new PatternAutomaton(parsePattern(pattern), { maxMissesPerMatch: 0 });

describe('PatternAutomaton', () => {
  it.each([
    ['^/products/.*$', '/products/shoes', true],
    ['^/products/.*$', '/product', false],
    ['^/Products/.*$', '/products/x', true],
    ['^/products/.*$', '/PRODUCTS/x', true],
    ['^/colou?r/red$', '/color/red', true],
    ['^/colou?r/red$', '/colour/red', true],
    ['^/a/b|^/c/d', '/c/d/e', true],
    ['^/a/b|^/c/d', '/x/c/d', false],
    ['/c/d', '/x/c/d', true],
    ['x$', '/ax', true],
    ['x$', '/xa', false],
    ['^$', '', true],
    ['^/$', '/', true],
    ['^/\\d{1,3}$', '/123', true],
    ['^/\\d{1,3}$', '/1234', false],
    ['^/[^/]+$', '/a/b', false],
    ['^/(?:ab)+$', '/ababab', true],
    ['^/(?:ab)+$', '/ababa', false],
    ['^/a.c$', '/a\nc', false],
    ['^/é$', '/É', true],
  ])('%s on %j: %s', (pattern, input, expected) => {
    expect(automaton(pattern).test(input)).toBe(expected);
  });

  it('answers a nested quantifier on a long non-matching path without backtracking', () => {
    // A backtracking engine needs ~2^100000 steps here; this one reads each character once.
    const path = `/${'a'.repeat(100_000)}!`;
    expect(automaton('^/(a+)+$').test(path)).toBe(false);
    expect(automaton('^/(a|a)*$').test(path)).toBe(false);
    expect(automaton('^/(.*a){10}$').test(path)).toBe(false);
  });

  it('gives the same answers after its state cache starts over', () => {
    // (a|b)*a(a|b){9} needs ~2^10 DFA states: enough inputs overflow the state cache.
    const pattern = automaton('(a|b)*a(a|b){9}$');
    const reference = /(a|b)*a(a|b){9}$/i;
    const random = seededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const input = Array.from({ length: 12 + random.int(8) }, () => random.pick(['a', 'b'])).join('');
      expect(pattern.test(input), input).toBe(reference.test(input));
    }
  });

  it(`refuses patterns that expand beyond ${MAX_PROGRAM_SIZE} steps`, () => {
    expect(() => automaton('^/(a{100}){100}$')).toThrow('pattern too large');
  });

  it('agrees with RegExp(pattern, "i").test on random patterns and paths', () => {
    const random = seededRandom(20261123);
    const atoms = ['a', 'b', 'A', '/', '.', '[ab]', '[^a/]', '\\d', '1', '(a|b/)', '(?:/a)', '(b|)', '[a-c]'];
    const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '*?'];
    const pattern = (): string => {
      const n = 1 + random.int(5);
      let out = random.int(3) === 0 ? '' : '^';
      for (let i = 0; i < n; i++) out += random.pick(atoms) + random.pick(quantifiers);
      if (random.int(2) === 0) out += '$';
      return random.int(6) === 0 ? `${out}|${random.pick(atoms)}$` : out;
    };
    for (let p = 0; p < 400; p++) {
      const source = pattern();
      const compiled = automaton(source);
      const threads = simulated(source);
      const reference = new RegExp(source, 'i');
      for (let s = 0; s < 25; s++) {
        const input = Array.from({ length: random.int(8) }, () => random.pick(['a', 'b', '/', '1', 'c', 'B'])).join('');
        expect(compiled.test(input), `seed ${random.seed}: ${source} on ${JSON.stringify(input)}`).toBe(reference.test(input));
        expect(threads.test(input), `threads, seed ${random.seed}: ${source} on ${JSON.stringify(input)}`).toBe(reference.test(input));
      }
    }
  });

  it('agrees with RegExp on paths of non-ASCII characters, caching them as classes (#9)', () => {
    const random = seededRandom(909);
    const units = ['a', 'é', 'É', 'ß', '\u2028', '中', '文', '/', 'z', '\u00ff'];
    for (const source of ['^/é+$', '[^a-z/]{2}', '^/.*中$', '\\s', '[à-ÿ]+z$', '^/(ß|中)*$']) {
      const compiled = automaton(source);
      const reference = new RegExp(source, 'i');
      for (let s = 0; s < 200; s++) {
        const input = `/${Array.from({ length: random.int(10) }, () => random.pick(units)).join('')}`;
        expect(compiled.test(input), `${source} on ${JSON.stringify(input)}`).toBe(reference.test(input));
      }
    }
  });

  it('hands a match whose DFA keeps missing to the thread simulation, with the same answers (#9)', () => {
    const random = seededRandom(31);
    for (const source of ['a.{0,20}b', '(a|b)*a(a|b){12}$', '^/(a|b)*a.{0,30}$', 'x[^b]{0,40}b.{3}$']) {
      const compiled = automaton(source);
      const reference = new RegExp(source, 'i');
      for (let s = 0; s < 100; s++) {
        const input = `/${Array.from({ length: 50 + random.int(300) }, () => random.pick(['a', 'b', 'x', 'c'])).join('')}`;
        expect(compiled.test(input), `${source} on ${input}`).toBe(reference.test(input));
      }
    }
  });
});
