import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { parseHeaderLine, parseHeaderLines } from './header-line.js';

describe('parseHeaderLine', () => {
  it.each([
    ['Nats-Msg-Id: abc', ['Nats-Msg-Id', 'abc']],
    ['x-device:mobile', ['x-device', 'mobile']],
    ['X-Empty:', ['X-Empty', '']],
    ['Authorization: Bearer a:b', ['Authorization', 'Bearer a:b']],
  ])('reads %j as a name and a value', (line, expected) => {
    expect(parseHeaderLine(line)).toEqual(expected);
  });

  it.each(['no colon', ': value', 'bad name: v'])('refuses %j as a usage error', (line) => {
    expect(() => parseHeaderLine(line)).toThrow(UsageError);
  });

  it('reads no option as no headers', () => {
    expect(parseHeaderLines(undefined)).toEqual([]);
  });
});
