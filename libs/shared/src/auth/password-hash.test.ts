import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, passwordHashProblem, verifyPassword } from './password-hash.js';

const cheap = { N: 1024, r: 8, p: 1 };
const salt = Buffer.alloc(16, 1).toString('base64');
const key = Buffer.alloc(64, 2).toString('base64');

describe('password hash', () => {
  it.each([
    [`scrypt:1024:8:1:${salt}:${key}`, undefined],
    [`bcrypt:1024:8:1:${salt}:${key}`, 'expected scrypt:'],
    [`scrypt:1024:8:1:${salt}`, 'expected scrypt:'],
    [`scrypt:1000:8:1:${salt}:${key}`, 'expected N a power of two'],
    [`scrypt:${2 ** 21}:8:1:${salt}:${key}`, 'expected N a power of two'],
    [`scrypt:1024:0:1:${salt}:${key}`, 'expected r from 1'],
    [`scrypt:1024:64:1:${salt}:${key}`, 'expected r from 1'],
    [`scrypt:1024:8:99:${salt}:${key}`, 'expected p from 1'],
    [`scrypt:1024:8:1:AAAA:${key}`, 'salt of at least 8 bytes'],
    [`scrypt:1024:8:1:${salt}:${Buffer.alloc(32).toString('base64')}`, 'key of 64 bytes'],
    [`scrypt:1024:8:1:${salt}:not*base64`, 'key of 64 bytes'],
  ])('judges %s', (text, problem) => {
    const found = passwordHashProblem(text);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('verifies the password it was made from with the parameters it stores, and no other', async () => {
    const text = await hashPassword('s3cret', cheap);
    expect(text.startsWith('scrypt:1024:8:1:')).toBe(true);
    const hash = parsePasswordHash(text);
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('s3cret!', hash)).toBe(false);
    // The same salt and key read with other parameters derive another key.
    expect(await verifyPassword('s3cret', { ...hash, N: 2048 })).toBe(false);
  });

  it('verifies a hash of the default cost, whose memory is above node\'s default maxmem share', async () => {
    const hash = parsePasswordHash(await hashPassword('pw', { N: 2 ** 15, r: 8, p: 1 }));
    expect(await verifyPassword('pw', hash)).toBe(true);
  });
});
