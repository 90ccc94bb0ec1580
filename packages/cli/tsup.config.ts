import { defineConfig } from 'tsup';

// callbot-cli: the `callbot` bin and the library entry (`import { runImport } from
// 'callbot-cli'`: the import engine, with types), both ESM only. callbot-contract and the
// command's own dependencies stay imports.
export default defineConfig([
  {
    entry: { cli: 'src/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    outDir: 'dist',
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    outDir: 'dist',
  },
]);
