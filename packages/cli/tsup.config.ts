import { defineConfig } from 'tsup';

// callbot-cli: the `callbot` bin, ESM only (it is run, not required). callbot-contract and the
// command's own dependencies stay imports.
export default defineConfig({
  entry: { cli: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: false,
  outDir: 'dist',
});
