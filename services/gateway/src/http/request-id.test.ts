import { describe, expect, it } from 'vitest';
import { acceptedRequestId, MAX_REQUEST_ID_LENGTH, RequestIdSource } from './request-id.js';

describe('acceptedRequestId', () => {
  it.each([
    ['a uuid', '0b6d7e2c-3f1a-4c5e-9d8b-1a2b3c4d5e6f', '0b6d7e2c-3f1a-4c5e-9d8b-1a2b3c4d5e6f'],
    ['visible ASCII punctuation', 'req:42/a.b_c', 'req:42/a.b_c'],
    ['the longest allowed', 'x'.repeat(MAX_REQUEST_ID_LENGTH), 'x'.repeat(MAX_REQUEST_ID_LENGTH)],
    ['one too long', 'x'.repeat(MAX_REQUEST_ID_LENGTH + 1), ''],
    ['a space', 'a b', ''],
    ['a control character', 'a\tb', ''],
    ['non-ASCII', 'ré', ''],
    ['empty', '', ''],
    ['absent', undefined, ''],
    ['repeated', ['a', 'b'], ''],
  ])('%s: %j', (_name, value, accepted) => {
    expect(acceptedRequestId(value)).toBe(accepted);
  });
});

describe('RequestIdSource', () => {
  it('makes a different id each time, all acceptable as client ids', () => {
    const source = new RequestIdSource();
    const ids = new Set(Array.from({ length: 1000 }, () => source.next()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(acceptedRequestId(id)).toBe(id);
  });

  it('gives two sources different ids', () => {
    expect(new RequestIdSource().next()).not.toBe(new RequestIdSource().next());
  });
});
