import { describe, expect, it } from 'vitest';
import { safeFieldValue } from './field-value.js';

const decode = (value: string) => decodeURIComponent(value.slice("UTF-8''".length));

describe('safeFieldValue', () => {
  it.each([['^/products/.*$'], ['page:/p?q=1'], ['a rule, with spaces and "quotes"'], ['100%'], ['']])('sends visible ASCII %j as it is', (text) => {
    expect(safeFieldValue(text)).toBe(text);
  });

  it.each([
    ['a\r\nSet-Cookie: x=1', "UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1"],
    ['Ünïcødé ✓ 日本', "UTF-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E2%9C%93%20%E6%97%A5%E6%9C%AC"],
    ["tab\there (it's *)", "UTF-8''tab%09here%20%28it%27s%20%2A%29"],
    ["UTF-8''plain", "UTF-8''UTF-8%27%27plain"],
    ["utf-8''plain", "UTF-8''utf-8%27%27plain"],
  ])('sends %j as an RFC 8187 ext-value (#9)', (text, encoded) => {
    expect(safeFieldValue(text)).toBe(encoded);
    expect(decode(encoded)).toBe(text);
  });

  it('only ever yields visible ASCII', () => {
    for (const text of ['\u0000\u007f\u0080\u00ff', '\ud800 lone', 'x\udc00', '😀', '\r\n\r\n']) expect(safeFieldValue(text)).toMatch(/^[\x21-\x7e]*$/);
  });
});
