import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run from source: workspace packages resolve to their src/index.ts.
const alias = {
  '@cairn/shared': src('./libs/shared/src/index.ts'),
  '@cairn/testing': src('./libs/testing/src/index.ts'),
  '@cairn/gateway': src('./services/gateway/src/index.ts'),
  '@cairn/rules': src('./services/rules/src/index.ts'),
  '@cairn/invalidation': src('./services/invalidation/src/index.ts'),
  '@cairn/demo-origin': src('./services/demo-origin/src/index.ts'),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['{libs,services,tools}/*/src/**/*.test.ts', 'test/docs/*.test.ts'], environment: 'node' },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{libs,services,tools}/*/test/**/*.int.test.ts', 'test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
