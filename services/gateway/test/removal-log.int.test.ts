/**
 * The removal log (WORKERS, #13) on a real LMDB in a temp dir: a tail forgets the keys
 * removed since the last one, and forgets everything when it fell further behind than the
 * log keeps, or after a stream reset.
 */
import { join } from 'node:path';
import { tempDir, type TempDir } from '@cairn/testing';
import { open, type RootDatabase } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemovalLog } from '../src/store/removal-log.js';

describe('the removal log (#13)', () => {
  let dir: TempDir;
  let root: RootDatabase;
  let forgotten: string[];
  let cleared: number;
  let writer: RemovalLog;
  let reader: RemovalLog;

  beforeEach(async () => {
    dir = await tempDir('cairn-removal-log-');
    root = open({ path: join(dir.path, 'data'), compression: false });
    const meta = root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    forgotten = [];
    cleared = 0;
    writer = new RemovalLog(root, meta, () => undefined, () => undefined);
    reader = new RemovalLog(root, meta, (key) => forgotten.push(key), () => cleared++);
  });
  afterEach(async () => {
    await root.close();
    await dir.remove();
  });

  it('forgets the keys removed since the last tail, once', async () => {
    await root.transaction(() => ['a', 'b'].forEach((key) => writer.appendSync(key)));
    reader.tail();
    await root.transaction(() => writer.appendSync('c'));
    reader.tail();
    reader.tail();
    expect([forgotten, cleared]).toEqual([['a', 'b', 'c'], 0]);
  });

  it('forgets everything when it fell behind by more than the log keeps', async () => {
    await root.transaction(() => {
      for (let i = 0; i <= 10_000; i++) writer.appendSync(`k${i}`);
    });
    reader.tail();
    expect([forgotten.length, cleared]).toEqual([0, 1]);
  });

  it('forgets everything after a stream reset', async () => {
    await root.transaction(() => writer.forgetAllSync());
    reader.tail();
    expect(cleared).toBe(1);
  });
});
