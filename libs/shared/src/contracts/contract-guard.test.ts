/**
 * Keeps "contracts live once" true: services never spell a subject, stream or Cairn
 * header; they take them from @cairn/shared.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const FORBIDDEN = /(['"`])(cache\.|CACHE_|x-cairn-)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('contract guard', () => {
  it('finds no subject, stream or x-cairn header literal in service sources', () => {
    const offences: string[] = [];
    for (const service of readdirSync(join(repo, 'services'))) {
      for (const file of sourceFiles(join(repo, 'services', service, 'src'))) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const code = line.trim();
            if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
            if (FORBIDDEN.test(code)) offences.push(`${relative(repo, file)}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offences).toEqual([]);
  });
});
