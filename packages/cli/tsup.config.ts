import { defineConfig } from 'tsup';

// callbot-cli: the `callbot` bin and the library entry (`import { runImport } from
// 'callbot-cli'`: the import engine, with types), both ESM only. callbot-contract and the
// command's own dependencies stay imports, but for libphonenumber-js: loaded as a package
// (about 90 small modules, read and compiled one by one) it cost `callbot import` more start-up
// time than anything else it loads; bundled, only what phone.ts uses is included.
export default defineConfig([
  {
    entry: { cli: 'src/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    outDir: 'dist',
    noExternal: ['libphonenumber-js'],
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    outDir: 'dist',
    noExternal: ['libphonenumber-js'],
  },
]);
