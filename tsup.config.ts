import { defineConfig } from 'tsup';

// The library and the mock: ESM + CJS + types. The `callbot` command: ESM only (it is run, not
// required). `npm run build` empties dist/ first.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', mock: 'src/mock/index.ts', schema: 'src/schema.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    shims: true, // import.meta.url in the CJS build (used to find generated/ next to dist/)
    splitting: false,
    outDir: 'dist',
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    outDir: 'dist',
  },
]);
