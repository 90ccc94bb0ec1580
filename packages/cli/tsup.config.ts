import { defineConfig } from 'tsup';

// callbot-cli: the `callbot` bin and the library entry (`import { runImport } from
// 'callbot-cli'`: the import engine, with types), both ESM only. callbot-contract and the
// command's own dependencies stay imports. The bin is split into chunks: main.ts imports each
// verb's module dynamically, and only a chunk of its own keeps that verb's imports (the
// contract, csv-parse, …) from being loaded by `callbot --help` (without splitting, esbuild
// would hoist every external import of the bundle to the top of cli.js).
export default defineConfig([
  {
    entry: { cli: 'src/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
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
