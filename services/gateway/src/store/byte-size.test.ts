import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';

describe('parseByteSize (#13)', () => {
  it.each([
    ['1073741824', 1073741824],
    ['512MB', 512 * 1024 ** 2],
    ['512mb', 512 * 1024 ** 2],
    ['2GB', 2 * 1024 ** 3],
    ['2GiB', 2 * 1024 ** 3],
    ['64k', 64 * 1024],
    ['10 MiB', 10 * 1024 ** 2],
    ['1T', 1024 ** 4],
    ['100B', 100],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', '0', '-5', '1.5GB', 'lots', '5PB', '9'.repeat(30), 'GB'])('refuses %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});
