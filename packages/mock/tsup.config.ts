import { copyFileSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// callbot-mock: the library entry (createMockServer; ESM + CJS + types) and the `callbot-mock`
// bin (ESM only: it is run, not required). callbot-contract stays an import (a dependency).
// The offline docs site is generated at the repository root (`npm run generate`) and copied
// into docs/ here, which the package ships and the server reads.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    shims: true, // import.meta.url in the CJS build (src/assets.ts finds docs/ next to dist/)
    splitting: false,
    outDir: 'dist',
    onSuccess: async () => {
      mkdirSync('docs', { recursive: true });
      copyFileSync('../../generated/docs/index.html', 'docs/index.html');
      copyFileSync('../../generated/docs/changes.html', 'docs/changes.html'); // linked from the API page
    },
  },
  {
    entry: { bin: 'src/process/bin.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    outDir: 'dist',
  },
]);
