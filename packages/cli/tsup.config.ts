import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'tsup';

// callbot-cli: the `callbot` bin and the library entry (`import { runImport } from
// 'callbot-cli'`: the import engine, with types), both ESM only. callbot-contract and the
// command's own dependencies stay imports. The bin is split into chunks: main.ts imports each
// verb's module dynamically, and only a chunk of its own keeps that verb's imports (the
// contract, csv-parse, …) from being loaded by `callbot --help` (without splitting, esbuild
// would hoist every external import of the bundle to the top of cli.js).
//
// `callbot --help` prints dist/help.txt: commander's own rendering of the top-level help (the
// verbs' names and summaries), made here once per build by running the built command, so the
// commonest question needs no commander at run time (test/help.test.ts: same text as `callbot help`).
//
// callbot-contract/facts (the generated enums and caps, a few KB) is bundled too: the help texts
// are built from it, and `callbot task --help` must not load the contract (test/help.test.ts).
//
// libphonenumber-js is bundled rather than imported: loaded as a package
// (about 90 small modules, read and compiled one by one) it cost `callbot import` more start-up
// time than anything else it loads; bundled, only what phone.ts uses is included.
export default defineConfig([
  {
    entry: { cli: 'src/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    outDir: 'dist',
    onSuccess: async () => {
      const help = execFileSync(process.execPath, [resolve('dist', 'cli.js'), 'help'], { encoding: 'utf8' });
      writeFileSync(resolve('dist', 'help.txt'), help);
    },
    noExternal: ['libphonenumber-js', 'callbot-contract/facts'],
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    outDir: 'dist',
    noExternal: ['libphonenumber-js', 'callbot-contract/facts'],
  },
]);
