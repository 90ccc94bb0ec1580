import { defineConfig } from 'tsup';

// callbot-contract: the client library, the types-only schema entry and the plumbing shared with
// the sibling packages. ESM + CJS + types. `npm run build:contract` empties dist/ first.
// callbot-mock and callbot-cli build themselves (packages/*/tsup.config.ts).
export default defineConfig({
  entry: { index: 'src/index.ts', schema: 'src/schema.ts', internal: 'src/internal/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  outDir: 'dist',
});
