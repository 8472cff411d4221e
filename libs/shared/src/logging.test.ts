import { describe, expect, it } from 'vitest';
import { createLogger, setLogLevel } from './logging.js';

describe('setLogLevel', () => {
  it('moves the children made before the change along with the root', () => {
    const root = createLogger('test', 'info');
    const child = root.child({ component: 'a' });
    const grandchild = child.child({ part: 'b' });
    setLogLevel(root, 'debug');
    expect([root.isLevelEnabled('debug'), child.isLevelEnabled('debug'), grandchild.isLevelEnabled('debug')]).toEqual([true, true, true]);
  });

  it('gives children made after the change the new level', () => {
    const root = createLogger('test', 'info');
    setLogLevel(root, 'warn');
    expect(root.child({ component: 'a' }).isLevelEnabled('info')).toBe(false);
  });
});
