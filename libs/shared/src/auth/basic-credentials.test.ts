import { describe, expect, it } from 'vitest';
import { parseBasicCredentials } from './basic-credentials.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Basic credentials', () => {
  it.each([
    [`Basic ${b64('alice:pw')}`, { username: 'alice', password: 'pw' }],
    [`basic ${b64('alice:pw')}`, { username: 'alice', password: 'pw' }],
    [`Basic ${b64('alice:p:w')}`, { username: 'alice', password: 'p:w' }],
    [`Basic ${b64('alice:')}`, { username: 'alice', password: '' }],
    [`Bearer ${b64('alice:pw')}`, undefined],
    [`Basic  ${b64('alice:pw')}`, undefined],
    [`Basic ${b64('alice:pw')} `, undefined],
    [`Basic ${b64('alicepw')}`, undefined],
    [`Basic ${b64(':pw')}`, undefined],
    ['Basic YWxpY2U6cHc', undefined],
    ['Basic !!!!', undefined],
    ['Basic', undefined],
    [`Basic ${b64('ali\nce:pw')}`, undefined],
  ])('parses %j strictly', (field, expected) => {
    expect(parseBasicCredentials(field)).toEqual(expected);
  });
});
