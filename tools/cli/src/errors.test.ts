import { describe, expect, it } from 'vitest';
import { reasonOf } from './errors.js';

describe('reasonOf', () => {
  it('names the socket error fetch wraps in its cause', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(reasonOf(new TypeError('fetch failed', { cause: socket }))).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });

  it('puts a code its message does not mention in front of it', () => {
    expect(reasonOf(Object.assign(new Error('timed out'), { code: 'TIMEOUT' }))).toBe('TIMEOUT timed out');
  });

  it('falls back to the message of an error without a cause', () => {
    expect(reasonOf(new Error('closed'))).toBe('closed');
  });
});
