import { seededRandom } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import type { MatchCriterion, Rule } from '../contracts/rule.js';
import { MAX_RULE_PATH_LENGTH, MEMO_LIMIT, RuleIndex } from './rule-index.js';
import type { MatchRequest } from './rule-matcher.js';

const plain: MatchRequest = { headers: {}, query: '' };
const rule = (id: string, pathPatterns: string[], extra: Partial<Rule> = {}): Rule => ({ id, description: '', pathPatterns, ttl: '1h', ...extra });
const header = (key: string, value: string): MatchCriterion => ({
  additionalMatchType: 'header',
  additionalMatchOperator: 'equals',
  additionalMatchKey: key,
  additionalMatchValue: value,
});
const winner = (rules: Rule[], path: string, request = plain) => new RuleIndex(rules).match(path, request)?.rule.id;

describe('RuleIndex matching', () => {
  it('matches nothing when there are no rules', () => {
    expect(winner([], '/a')).toBeUndefined();
  });

  it('compiles patterns case-insensitively', () => {
    expect(winner([rule('upper', ['^/Products/.*$'])], '/products/1')).toBe('upper');
  });

  it('reports the pattern that matched and the parsed TTL', () => {
    const match = new RuleIndex([rule('two', ['^/a$', '^/b$'], { ttl: '30s' })]).match('/b', plain);
    expect(match?.pattern).toBe('^/b$');
    expect(match?.ttl).toEqual({ kind: 'duration', seconds: 30 });
  });

  it('lets a pattern ending in /$ match the normalized path without the slash', () => {
    expect(winner([rule('slash', ['^/products/$'])], '/products')).toBe('slash');
    expect(winner([rule('root', ['^/$'])], '/')).toBe('root');
  });

  it('returns a no_cache rule so it can carve an exception out of a broader one', () => {
    const index = new RuleIndex([rule('all', ['^/.*$']), rule('private', ['^/account/.*$'], { ttl: 'no_cache' })]);
    expect(index.match('/account/me', plain)?.ttl).toEqual({ kind: 'no_cache' });
    expect(index.match('/other', plain)?.rule.id).toBe('all');
  });
});

describe('RuleIndex prefix narrowing', () => {
  it.each([
    // rules, path, winner
    [[rule('broad', ['^/.*$']), rule('api', ['^/api/.*$'])], '/api/x', 'api'],
    [[rule('broad', ['^/.*$']), rule('api', ['^/api/.*$'])], '/apiary', 'broad'],
    [[rule('broad', ['^/.*$']), rule('api', ['^/api(/.*)?$'])], '/apiary', 'broad'],
    [[rule('broad', ['^/.*$']), rule('api', ['^/api(/.*)?$'])], '/api', 'api'],
    [[rule('open', ['^/api.*$'])], '/apiary', 'open'],
    [[rule('color', ['^/colou?r/red$'])], '/color/red', 'color'],
    [[rule('color', ['^/colou?r/red$'])], '/colour/red', 'color'],
    [[rule('alt', ['^/a/b|^/c/d'])], '/a/b', 'alt'],
    [[rule('alt', ['^/a/b|^/c/d'])], '/c/d', 'alt'],
    [[rule('anywhere', ['/reviews$']), rule('p', ['^/products/x$'])], '/products/1/reviews', 'anywhere'],
    [[rule('class', ['^/[pP]roducts/.*$'])], '/products/1', 'class'],
  ] as const)('%#: %j on %s → %s', (rules, path, expected) => {
    expect(winner([...rules], path)).toBe(expected);
  });

  it('never lets a deep bucket shadow a broader rule that outranks it', () => {
    // `^/shop/.*/checkout$` sits in the short `/shop/` bucket but fixes more characters
    // than `^/shop/cart/.*$` in the longer `/shop/cart/` bucket.
    const rules = [rule('checkout', ['^/shop/.*/checkout$']), rule('cart', ['^/shop/cart/.*$'])];
    expect(winner(rules, '/shop/cart/checkout')).toBe('checkout');
    expect(winner(rules, '/shop/cart/items')).toBe('cart');
  });
});

describe('RuleIndex specificity order', () => {
  it('prefers the pattern that fixes more characters', () => {
    const rules = [rule('broad', ['^/products/.*$']), rule('exact', ['^/products/shoes$'])];
    expect(winner(rules, '/products/shoes')).toBe('exact');
    expect(winner(rules, '/products/hats')).toBe('broad');
  });

  it('does not rank a verbose pattern above a shorter, more specific one', () => {
    const rules = [rule('verbose', ['^/[pP][aA][gG][eE][sS]/\\d{1,3}/[a-z]+$']), rule('specific', ['^/pages/1/about$'])];
    expect(winner(rules, '/pages/1/about')).toBe('specific');
  });

  it('lets an explicit priority win over specificity', () => {
    const rules = [rule('exact', ['^/products/shoes$']), rule('override', ['^/products/.*$'], { priority: 1 })];
    expect(winner(rules, '/products/shoes')).toBe('override');
  });

  it('lets a negative priority rank below every default rule', () => {
    const rules = [rule('fallback', ['^/products/shoes$'], { priority: -1 }), rule('broad', ['^/.*$'])];
    expect(winner(rules, '/products/shoes')).toBe('broad');
  });

  it('ranks a rule with conditions above an equal rule without', () => {
    const rules = [rule('plain', ['^/home$']), rule('mobile', ['^/home$'], { additionalMatchCriteria: [header('x-device', 'mobile')] })];
    expect(winner(rules, '/home', { headers: { 'x-device': 'mobile' }, query: '' })).toBe('mobile');
    expect(winner(rules, '/home')).toBe('plain');
  });

  it('ranks an exact pattern above an open-ended one that fixes as many characters', () => {
    expect(winner([rule('a-open', ['^/about']), rule('b-exact', ['^/about$'])], '/about')).toBe('b-exact');
  });

  it('breaks remaining ties by rule id, whatever the order rules arrive in', () => {
    const rules = [rule('b', ['^/x/.*$']), rule('a', ['^/x/.+$'])];
    expect(winner(rules, '/x/1')).toBe('a');
    expect(winner([...rules].reverse(), '/x/1')).toBe('a');
  });
});

describe('RuleIndex memo', () => {
  const rules = [rule('plain', ['^/page$']), rule('beta', ['^/page$'], { additionalMatchCriteria: [{ additionalMatchType: 'query', additionalMatchOperator: 'exists', additionalMatchKey: 'beta' }] })];

  it('never lets a memoized answer shadow a conditional rule on a later request', () => {
    const index = new RuleIndex(rules);
    expect(index.match('/page', plain)?.rule.id).toBe('plain');
    expect(index.match('/page', { headers: {}, query: 'beta=1' })?.rule.id).toBe('beta');
    expect(index.match('/page', plain)?.rule.id).toBe('plain');
  });

  it('answers the same once more paths than it remembers have been seen', () => {
    const index = new RuleIndex([rule('n', ['^/n/\\d+$']), rule('all', ['^/.*$'])]);
    for (let i = 0; i < MEMO_LIMIT + 10; i++) index.match(`/n/${i}`, plain);
    expect(index.match('/n/0', plain)?.rule.id).toBe('n');
    expect(index.match('/n/x', plain)?.rule.id).toBe('all');
  });
});

describe('RuleIndex explain', () => {
  it('says why each candidate that could apply to the path won or lost', () => {
    const index = new RuleIndex([
      rule('mobile', ['^/home$'], { additionalMatchCriteria: [header('x-device', 'mobile')] }),
      rule('home', ['^/home$']),
      rule('all', ['^/.*$']),
      rule('other', ['^/other$']),
    ]);
    expect(index.explain('/home', plain).map(({ ruleId, verdict, detail }) => ({ ruleId, verdict, detail }))).toEqual([
      { ruleId: 'mobile', verdict: 'conditions not met', detail: 'header x-device equals ["mobile"] (observed: absent)' },
      { ruleId: 'home', verdict: 'matched', detail: undefined },
      { ruleId: 'all', verdict: 'outranked', detail: undefined },
    ]);
  });

  it('lists a pattern whose literal prefix the path does not start with as not matching, never (it cannot apply)', () => {
    const index = new RuleIndex([rule('other', ['^/other$']), rule('anywhere', ['\\.rss$'])]);
    expect(index.explain('/home', plain).map((c) => c.ruleId)).toEqual(['anywhere']);
  });

  it('stops after the number of candidates it is asked for', () => {
    const index = new RuleIndex(Array.from({ length: 10 }, (_, i) => rule(`r${i}`, ['^/.*$'])));
    expect(index.explain('/a', plain, 3).map((c) => c.ruleId)).toEqual(['r0', 'r1', 'r2']);
  });
});

describe('RuleIndex bounds (#9)', () => {
  it('matches no rule on a path longer than MAX_RULE_PATH_LENGTH (#9)', () => {
    const index = new RuleIndex([rule('all', ['^/.*$'])]);
    expect(index.match(`/${'a'.repeat(MAX_RULE_PATH_LENGTH - 1)}`, plain)?.rule.id).toBe('all');
    expect(index.match(`/${'a'.repeat(MAX_RULE_PATH_LENGTH)}`, plain)).toBeUndefined();
    expect(index.scan(`/${'a'.repeat(MAX_RULE_PATH_LENGTH)}`, plain)).toBeUndefined();
  });
});

describe('RuleIndex incremental changes (#9)', () => {
  it('answers with the new rule right after an upsert, whatever the memo remembered (#9)', () => {
    const index = new RuleIndex([rule('all', ['^/.*$'])]);
    expect(index.match('/a/1', plain)?.rule.id).toBe('all');
    index.upsert(rule('a', ['^/a/.*$']));
    expect(index.match('/a/1', plain)?.rule.id).toBe('a');
    index.upsert(rule('a', ['^/b/.*$']));
    expect(index.match('/a/1', plain)?.rule.id).toBe('all');
    expect(index.match('/b/1', plain)?.rule.id).toBe('a');
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.match('/b/1', plain)?.rule.id).toBe('all');
    expect(index.size).toBe(1);
  });

  it('keeps a pattern compiled while another rule still uses it (#9)', () => {
    const index = new RuleIndex([rule('a', ['^/x$']), rule('b', ['^/x$'])]);
    index.remove('a');
    expect([...index.patterns.keys()]).toEqual(['^/x$']);
    index.remove('b');
    expect(index.patterns.size).toBe(0);
  });
});

describe('RuleIndex property: narrowing never changes the answer', () => {
  const segments = ['a', 'b', 'api', 'apiary', 'x1', ''];
  const tails = ['', '$', '/.*$', '.*', '(/.*)?$', 's?$', '/[^/]+$', '/\\d+$', '|^/b/.*', '/?$'];

  it('returns the same rule as a plain scan in rank order for random rule sets and paths', () => {
    const random = seededRandom(4242);
    for (let set = 0; set < 300; set++) {
      const rules: Rule[] = [];
      for (let r = 0, n = 1 + random.int(12); r < n; r++) {
        const depth = random.int(3);
        const head = Array.from({ length: depth }, () => random.pick(segments)).join('/');
        const anchored = random.int(5) !== 0;
        const pattern = `${anchored ? '^' : ''}/${head}${random.pick(tails)}`;
        rules.push(
          rule(`r${r}`, [pattern], {
            ...(random.int(4) === 0 ? { additionalMatchCriteria: [header('x-t', random.pick(['1', '2']))] } : {}),
            ...(random.int(6) === 0 ? { priority: random.pick([-1, 1, 2]) } : {}),
          }),
        );
      }
      const index = new RuleIndex(rules);
      for (let p = 0; p < 40; p++) {
        const path = `/${Array.from({ length: random.int(4) }, () => random.pick([...segments, '7', 'as'])).join('/')}`.replace(/\/+$/, '') || '/';
        const request: MatchRequest = { headers: random.int(2) === 0 ? { 'x-t': random.pick(['1', '2']) } : {}, query: '' };
        const expected = index.scan(path, request);
        const actual = index.match(path, request);
        expect(actual?.rule.id, `seed ${random.seed} set ${set}: ${JSON.stringify(rules.map((r) => r.pathPatterns[0]))} on ${path}`).toBe(expected?.rule.id);
        expect(actual?.pattern).toBe(expected?.pattern);
      }
    }
  });
});

describe('RuleIndex property: incremental changes equal a build from scratch (#9)', () => {
  const segments = ['a', 'b', 'api', 'apiary', 'x1', ''];
  const tails = ['', '$', '/.*$', '.*', '(/.*)?$', 's?$', '/[^/]+$', '/\\d+$', '|^/b/.*', '/?$'];

  it('answers like a fresh index and a plain scan after random add, replace and delete sequences (#9)', () => {
    const random = seededRandom(9090);
    const randomRule = (id: string): Rule => {
      const patterns = Array.from({ length: 1 + random.int(2) }, () => {
        const head = Array.from({ length: random.int(3) }, () => random.pick(segments)).join('/');
        return `${random.int(5) !== 0 ? '^' : ''}/${head}${random.pick(tails)}`;
      });
      return rule(id, patterns, {
        ...(random.int(4) === 0 ? { additionalMatchCriteria: [header('x-t', random.pick(['1', '2']))] } : {}),
        ...(random.int(6) === 0 ? { priority: random.pick([-1, 1, 2]) } : {}),
      });
    };
    for (let run = 0; run < 30; run++) {
      const current = new Map<string, Rule>();
      const index = new RuleIndex();
      for (let step = 0; step < 30; step++) {
        const id = `r${random.int(10)}`;
        if (random.int(4) === 0) {
          expect(index.remove(id)).toBe(current.delete(id));
        } else {
          const next = randomRule(id);
          current.set(id, next);
          index.upsert(next);
        }
        const fresh = new RuleIndex(current.values());
        expect(index.size).toBe(fresh.size);
        for (let p = 0; p < 8; p++) {
          const path = `/${Array.from({ length: random.int(4) }, () => random.pick([...segments, '7', 'as'])).join('/')}`.replace(/\/+$/, '') || '/';
          const request: MatchRequest = { headers: random.int(2) === 0 ? { 'x-t': random.pick(['1', '2']) } : {}, query: '' };
          const context = `seed ${random.seed} run ${run} step ${step} on ${path}`;
          const expected = fresh.match(path, request);
          const actual = index.match(path, request);
          expect(actual?.rule, context).toBe(expected === undefined ? undefined : current.get(expected.rule.id));
          expect(actual?.pattern, context).toBe(expected?.pattern);
          expect(index.scan(path, request)?.pattern, context).toBe(expected?.pattern);
          expect(index.explain(path, request), context).toEqual(fresh.explain(path, request));
          expect(index.ranked(), context).toEqual(fresh.ranked());
        }
      }
    }
  });
});
