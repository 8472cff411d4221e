import { describe, expect, it } from 'vitest';
import { hasMalformedPathEscape } from './percent-encoding.js';

describe('hasMalformedPathEscape', () => {
  it.each(['/%zz', '/a%', '/a%4', '/%E0%A4%A', '/%C3', '/x/%FF'])('finds a malformed escape in %s', (target) => {
    expect(hasMalformedPathEscape(target)).toBe(true);
  });

  it.each(['/', '/plain/path', '/%41%42', '/%C3%A9t%C3%A9', '/a%25b', '/a?q=%zz', '/a#%zz', '/a%2Fb'])('accepts %s', (target) => {
    expect(hasMalformedPathEscape(target)).toBe(false);
  });
});
