/**
 * The repository cites only what it contains: every relative Markdown link resolves to a
 * path in the checkout (and its #anchor to a heading of the linked file), and no file names
 * the private design notes kept outside it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.cairn', 'coverage']);
/** Spelled in pieces so this file does not name them itself. */
const DESIGN_NOTES = ['DESIGN', '.md'].join('');
const OUTSIDE_SHARED = /(?:\.\.\/)+shared\b[^\s"'`)]*/g;

function repositoryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED_DIRS.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? repositoryFiles(path) : [path];
  });
}

const files = repositoryFiles(root);
const markdownFiles = files.filter((path) => path.endsWith('.md'));
/** Text files small enough to be written by hand (lockfiles and data are skipped). */
const textFiles = files.filter((path) => /\.(md|ts|js|mjs|json|ya?ml|conf|sh|env|txt)$|Dockerfile$/.test(path) && !path.endsWith('package-lock.json') && statSync(path).size < 2_000_000);

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchorsIn(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

/** Relative link targets outside code blocks and inline code. */
function relativeLinks(path: string): string[] {
  const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('links and citations', () => {
  it('checks the README and the docs', () => {
    const names = markdownFiles.map((path) => relative(root, path));
    expect(names).toContain('README.md');
    expect(names).toContain(join('docs', 'architecture.md'));
  });

  it.each(markdownFiles.map((path) => [relative(root, path), path]))('every relative link in %s resolves to a path in the repository', (_name, path) => {
    const broken: string[] = [];
    for (const link of relativeLinks(path)) {
      const [target = '', anchor] = link.split('#');
      const resolved = target === '' ? path : resolve(dirname(path), decodeURIComponent(target));
      if (relative(root, resolved).startsWith('..') || !existsSync(resolved)) broken.push(`${link}: no such path in the repository`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsIn(resolved).has(anchor)) broken.push(`${link}: no heading with that anchor`);
    }
    expect(broken).toEqual([]);
  });

  it(`no file mentions ${DESIGN_NOTES}`, () => {
    const citing = textFiles.filter((path) => readFileSync(path, 'utf8').includes(DESIGN_NOTES)).map((path) => relative(root, path));
    expect(citing).toEqual([]);
  });

  it('no file points at a shared folder outside the repository', () => {
    const outside: string[] = [];
    for (const path of textFiles) {
      for (const match of readFileSync(path, 'utf8').matchAll(OUTSIDE_SHARED)) {
        const resolved = resolve(dirname(path), match[0]);
        if (relative(root, resolved).startsWith('..') || !existsSync(resolved)) outside.push(`${relative(root, path)}: ${match[0]}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
